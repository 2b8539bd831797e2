// Stands in for Electron's `process.parentPort` under plain Node, over the child_process IPC
// channel, then runs the utility-process program (argv[2]) as a utility process would.
// MessagePorts that Electron would transfer with a message cannot cross this channel, so each
// arrives as a stand-in whose messages the parent (fake-electron.ts) carries to and from the real
// port's other end; as Electron's MessagePortMain, it holds what arrives until `start()`.
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const port = new EventEmitter();
port.postMessage = (message) => process.send(message);
const streams = new Map();

const standInPort = (id) => {
  const stream = new EventEmitter();
  const held = [];
  stream.postMessage = (data) => process.send({ fakePortMessage: id, data });
  stream.started = false;
  stream.deliver = (data) => (stream.started ? stream.emit('message', { data, ports: [] }) : held.push(data));
  stream.start = () => {
    stream.started = true;
    for (const data of held.splice(0)) stream.emit('message', { data, ports: [] });
  };
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
  } else if (message && typeof message === 'object' && 'fakePortDeliver' in message) {
    streams.get(message.fakePortDeliver)?.deliver(message.data);
  } else if (message && typeof message === 'object' && 'fakePortClosed' in message) {
    const stream = streams.get(message.fakePortClosed);
    streams.delete(message.fakePortClosed);
    stream?.emit('close');
  } else port.emit('message', { data: message, ports: [] });
});
process.parentPort = port;
await import(pathToFileURL(process.argv[2]).href);
