import type { Readable, Writable } from 'node:stream';

interface Input extends Readable {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

/**
 * The password for `user:create` when `--password` is not given, so it stays out of the shell
 * history: typed at a prompt without echo on a terminal, otherwise the first line of standard
 * input (`printf '%s\n' "$PASSWORD" | authgate user:create …`, or `< file`).
 */
export function readPassword(input: Input = process.stdin, prompt: Writable = process.stderr): Promise<string> {
  return input.isTTY && input.setRawMode ? promptHidden(input, prompt) : firstLine(input);
}

async function firstLine(input: Readable): Promise<string> {
  let text = '';
  for await (const chunk of input as AsyncIterable<Buffer | string>) {
    text += chunk.toString();
    const end = text.indexOf('\n');
    if (end !== -1) {
      input.destroy();
      return text.slice(0, end).replace(/\r$/, '');
    }
  }
  return text.replace(/\r$/, '');
}

/** Raw mode: characters are read one by one and never echoed. */
function promptHidden(input: Input, prompt: Writable): Promise<string> {
  prompt.write('Password: ');
  input.setRawMode?.(true);
  input.setEncoding('utf8');
  input.resume();
  return new Promise((resolve) => {
    let password = '';
    const finish = (value: string | undefined) => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
      prompt.write('\n');
      // Ctrl-C: as a shell would.
      if (value === undefined) process.exit(130);
      resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n' || char === '\u0004') return finish(password);
        if (char === '\u0003') return finish(undefined);
        if (char === '\u007f' || char === '\b') password = [...password].slice(0, -1).join('');
        else if (char >= ' ') password += char;
      }
    };
    input.on('data', onData);
  });
}
