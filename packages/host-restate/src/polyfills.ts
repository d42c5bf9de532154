// The Restate SDK calls `Promise.withResolvers` (ES2024), which Node 20 lacks (it arrived in Node 22).
// Import this module before `@restatedev/restate-sdk` anywhere the SDK may run on Node 20.
// On Node 22+ the native implementation is kept untouched.

/** The shape of `Promise.withResolvers()` as specified in ES2024. */
export interface PromiseWithResolvers<T> {
  promise: Promise<T>;
  resolve: (value: T | PromiseLike<T>) => void;
  reject: (reason?: unknown) => void;
}

/** The spec algorithm, usable directly where a typed helper is wanted. */
export function withResolvers<T>(): PromiseWithResolvers<T> {
  let resolve!: PromiseWithResolvers<T>['resolve'];
  let reject!: PromiseWithResolvers<T>['reject'];
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

// Typed locally rather than by augmenting the global PromiseConstructor, so this file never
// conflicts with an ES2024 lib that declares the method itself.
type PromiseConstructorWithResolvers = PromiseConstructor & {
  withResolvers?: <T>() => PromiseWithResolvers<T>;
};

/** Installs `Promise.withResolvers` when the runtime lacks it; returns whether it was installed. */
export function installPromiseWithResolvers(): boolean {
  const ctor = Promise as PromiseConstructorWithResolvers;
  if (typeof ctor.withResolvers === 'function') return false;
  Object.defineProperty(ctor, 'withResolvers', {
    // Spec: `this` is the constructor, so subclasses get instances of themselves.
    value: function withResolversPolyfill<T>(this: PromiseConstructor): PromiseWithResolvers<T> {
      let resolve!: PromiseWithResolvers<T>['resolve'];
      let reject!: PromiseWithResolvers<T>['reject'];
      const promise = new this<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return true;
}

installPromiseWithResolvers();
