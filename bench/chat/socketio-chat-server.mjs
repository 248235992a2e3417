// Socket.IO (npm) doing the same broadcast as the ZenLive chat, for comparison: clients join a
// room named in the handshake query; a `post` from anyone is emitted to the whole room as one
// `message` event. Defaults of Socket.IO 4 otherwise (websocket transport only, no compression).
//
//   node bench/chat/socketio-chat-server.mjs
//
// Prints one JSON line `{"port":..,"pid":..}` once listening; stops on SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const http = createServer();
const io = new Server(http, { transports: ['websocket'], perMessageDeflate: false, serveClient: false });
let nextId = 1;
io.on('connection', (socket) => {
  const room = String(socket.handshake.query.room ?? 'bench');
  socket.join(room);
  socket.on('post', (msg) => {
    io.to(room).emit('message', { id: nextId++, room, user: { id: 'poster', name: 'Poster' }, content: String(msg.content), ts: Date.now() });
  });
});
http.listen(0, '127.0.0.1', () => process.stdout.write(`${JSON.stringify({ port: http.address().port, pid: process.pid })}\n`));

const stop = () => {
  io.close();
  http.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
