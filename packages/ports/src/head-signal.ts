/**
 * "The log of session K now reaches head H": what lets `waitForEvents` wake at once instead of
 * polling the store. Workers notify after each append; gateways subscribe. Best effort — a missed
 * signal only delays a waiter until its next (slow) poll, so correctness never depends on it.
 */
export interface HeadSignal {
  notify(key: string, head: number): void;
  subscribe(key: string, listener: (head: number) => void): () => void;
}
