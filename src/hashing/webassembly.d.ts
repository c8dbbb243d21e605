/**
 * The part of the WebAssembly JavaScript API that downsampler.ts uses. Node 20 has all of it, but
 * @types/node 20 does not declare it and the DOM lib (which does) does not belong in a server.
 */
declare namespace WebAssembly {
  class Module {
    constructor(bytes: Uint8Array);
  }
  class Instance {
    constructor(module: Module, imports?: Record<string, Record<string, unknown>>);
    readonly exports: Record<string, unknown>;
  }
  class Memory {
    readonly buffer: ArrayBuffer;
  }
  class Global {
    readonly value: unknown;
  }
}
