import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes; the real process's streams, or test doubles of them. */
export interface CommandIo {
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: Writable;
  stderr: Writable;
}

/** The first line of piped stdin (scripts: `echo "$PW" | zenlive user add ...`). */
async function firstLine(stdin: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stdin) {
    text += String(chunk);
    const nl = text.indexOf('\n');
    if (nl >= 0) return text.slice(0, nl).replace(/\r$/, '');
  }
  return text.replace(/\r?\n?$/, '');
}

/** Reads a line from a terminal without echoing it. */
function promptHidden(io: CommandIo, question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    io.stdout.write(question);
    io.stdin.setRawMode?.(true);
    io.stdin.resume();
    let value = '';
    const onData = (chunk: Buffer | string): void => {
      for (const ch of String(chunk)) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(new Error('cancelled'));
          return;
        }
        if (ch === '\u007f') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = (): void => {
      io.stdin.off('data', onData);
      io.stdin.setRawMode?.(false);
      io.stdin.pause();
      io.stdout.write('\n');
    };
    io.stdin.on('data', onData);
  });
}

/** A new password: prompted twice on a terminal, else the first line of stdin. */
export async function readNewPassword(io: CommandIo): Promise<string> {
  if (io.stdin.isTTY !== true) return firstLine(io.stdin);
  const first = await promptHidden(io, 'Password: ');
  const again = await promptHidden(io, 'Repeat password: ');
  if (first !== again) throw new Error('the passwords differ');
  return first;
}
