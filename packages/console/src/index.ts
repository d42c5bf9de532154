export { mountConsole } from './mount-console.js';
export { ConsoleAuth, SIGN_IN_COOKIE, type ConsoleCaller } from './console-auth.js';
export { SignInStore, SIGN_IN_TTL_MS, type SignIn } from './sign-in-store.js';
