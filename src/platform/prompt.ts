/**
 * Questions to the user on the terminal: written to stderr (stdout belongs to kubectl), answers read from stdin.
 * Only possible when kubectl gave us its stdin: with `spec.interactive: false` every question fails at once with
 * exit code 5, instead of hanging a kubectl that has no terminal.
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { AppError } from '../app-error.js';

export interface Prompter {
  /** With a signal, the question can be withdrawn (another answer came first); the promise then never settles. */
  ask(question: string, options?: { signal?: AbortSignal }): Promise<string>;
  /** Like ask, without echoing what is typed (passwords). */
  askHidden(question: string): Promise<string>;
}

/**
 * @param interactive from KUBERNETES_EXEC_INFO; undefined when kubectl did not say (a manual run), then stdin is
 *   used whatever it is, so `printf '%s\n' "$PASSWORD" | kubectl-together_login get-token …` works in scripts.
 * @param needs what the question is for, named in the error when it cannot be asked.
 */
export function createStdinPrompter(
  interactive: boolean | undefined,
  needs: { what: string; hint: string },
): Prompter {
  const ask = (question: string, hidden: boolean, signal?: AbortSignal) => {
    if (interactive === false) {
      return Promise.reject(
        new AppError(
          'interaction.required',
          `${needs.what}, but kubectl runs this plugin without a terminal`,
          {
            hint: needs.hint,
          },
        ),
      );
    }
    return readLine(question, hidden, signal);
  };
  return {
    ask: (question, options) => ask(question, false, options?.signal),
    askHidden: (question) => ask(question, true),
  };
}

function readLine(question: string, hidden: boolean, signal: AbortSignal | undefined): Promise<string> {
  const terminal = Boolean(process.stdin.isTTY);
  let muted = false;
  // The question goes to stderr; typed characters are echoed there too, except while muted.
  const output = new Writable({
    write(chunk, _encoding, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal });
  return new Promise((resolve, reject) => {
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      // A terminal echoed the newline unless muted; a pipe echoes nothing.
      if (hidden || !terminal) process.stderr.write('\n');
      rl.close();
      // A password is exactly what was typed (spaces included); readline already removed the line ending.
      resolve(hidden ? answer.replace(/\r$/, '') : answer.trim());
    });
    muted = hidden;
    signal?.addEventListener('abort', () => rl.close(), { once: true });
    rl.on('close', () => {
      if (!answered && !signal?.aborted) {
        reject(
          new AppError('interaction.no-input', 'no answer on stdin (it is closed)', {
            hint: 'run the command in a terminal, or give the value as a flag',
          }),
        );
      }
    });
  });
}
