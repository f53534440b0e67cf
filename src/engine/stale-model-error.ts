/**
 * A map request for a model the WebGPU engine no longer holds (the user switched models while the map was
 * asked for): the request is stale, not a failure of WebGPU on that model, so the caller drops it instead of
 * sending that model's later maps to the worker.
 */
export class StaleModelError extends Error {
  constructor(message = 'the WebGPU engine holds another model') {
    super(message);
    this.name = 'StaleModelError';
  }
}
