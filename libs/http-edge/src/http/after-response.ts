import type { ServerResponse } from 'node:http';

/** `finished`: the whole response was handed to the socket; false when the client went away first. */
export type AfterResponse = (finished: boolean) => void;

const pending = new WeakMap<ServerResponse, AfterResponse[]>();

/**
 * Runs `callback` once the response is over. Every layer that needs the end of a request (in-flight count, access log, metrics,
 * usage) shares one 'close' listener, which Node emits after 'finish' or when the connection drops.
 */
export function afterResponse(response: ServerResponse, callback: AfterResponse): void {
  const callbacks = pending.get(response);
  if (callbacks) {
    callbacks.push(callback);
    return;
  }
  const first = [callback];
  pending.set(response, first);
  response.once('close', () => {
    const finished = response.writableFinished;
    for (const run of first) run(finished);
  });
}
