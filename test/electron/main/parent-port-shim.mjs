// Stands in for Electron's `process.parentPort` under plain Node, over the child_process IPC
// channel, then runs the training worker (argv[2]) as a utility process would. MessagePorts that
// Electron would transfer with a message cannot cross this channel, so each arrives as a stand-in
// whose messages the parent (fake-electron.ts) delivers to the real port's other end.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
const streams = new Map();

const standInPort = (id) => {
  const stream = new EventEmitter();
  stream.postMessage = (data) => process.send({ fakePortMessage: id, data });
  stream.start = () => undefined;
  stream.close = () => {
    if (!streams.delete(id)) return;
    process.send({ fakePortClose: id });
    stream.emit('close');
  };
  streams.set(id, stream);
  return stream;
};

process.on('message', (message) => {
  if (message && typeof message === 'object' && 'fakePortsFor' in message) {
    port.emit('message', { data: message.fakePortsFor, ports: message.portIds.map(standInPort) });
  } else if (message && typeof message === 'object' && 'fakePortClosed' in message) {
    const stream = streams.get(message.fakePortClosed);
    streams.delete(message.fakePortClosed);
    stream?.emit('close');
  } else port.emit('message', { data: message, ports: [] });
});
process.parentPort = port;
await import(pathToFileURL(process.argv[2]).href);
