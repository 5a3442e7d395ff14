/**
 * A token bucket over bytes: `rate` bytes per second refill it up to `size`. A message of n
 * bytes may leave when n tokens are there; so over any span of t seconds at most
 * `size + rate × t` bytes leave, as long as no message is larger than `size` (senders split
 * larger ones). Time is passed in, so tests and the pacer's scheduler agree on it.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private rate: number,
    private size: number,
    now: number,
  ) {
    this.tokens = size;
    this.at = now;
  }

  /** Changes rate and size; tokens carried over, cut to the new size (a bucket that had no rate starts full). */
  configure(rate: number, size: number, now: number): void {
    this.refill(now);
    const wasUnlimited = this.rate <= 0;
    this.rate = rate;
    this.size = size;
    this.tokens = wasUnlimited ? size : Math.min(this.tokens, size);
  }

  /** Tokens there now (may be negative after a message larger than the bucket). */
  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }

  /** Whether `bytes` may leave now: enough tokens, or (for a message larger than the bucket) a full one. */
  allows(bytes: number, now: number): boolean {
    return this.available(now) >= Math.min(bytes, this.size);
  }

  take(bytes: number, now: number): void {
    this.refill(now);
    this.tokens -= bytes;
  }

  /** Milliseconds until `allows(bytes)` (0 if it already does). */
  msUntil(bytes: number, now: number): number {
    const missing = Math.min(bytes, this.size) - this.available(now);
    if (missing <= 0) return 0;
    return Math.ceil((missing / this.rate) * 1000);
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.size, this.tokens + ((now - this.at) / 1000) * this.rate);
    }
    this.at = Math.max(this.at, now);
  }
}
