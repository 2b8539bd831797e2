// Stands in for Electron's `process.parentPort` under plain Node, over the child_process IPC
// channel, then runs the bundled training worker (argv[2]) as a utility process would.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
process.on('message', (data) => port.emit('message', { data, ports: [] }));
process.parentPort = port;
await import(pathToFileURL(process.argv[2]).href);
