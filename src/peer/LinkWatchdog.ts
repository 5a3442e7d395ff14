/**
 * Replaces links that carry no traffic. y-webrtc can leave a link "connected" while nothing
 * flows over it (../shared/BROWSER-NOTES.md: glare after both sides re-announce), and a node
 * then waits forever on updates that only arrive through other nodes, if at all.
 *
 * Every `intervalMs` the watchdog pings each open link that has been quiet for half of
 * `silenceMs` (the peer answers, so a healthy link is never silent for long, and a busy one
 * costs nothing extra), replaces an open link that has been silent for `silenceMs`, and replaces
 * a link that has not opened within `openTimeoutMs`.
 */

/** What the watchdog needs to know about one link. Times are ms since the epoch. */
export interface WatchedLink {
  readonly id: string;
  readonly open: boolean;
  readonly createdAt: number;
  readonly openedAt: number | null;
  readonly lastReceived: number | null;
}

export interface WatchedLinks {
  list(): WatchedLink[];
  /** Sends something the peer answers. */
  ping(id: string): void;
  /** Closes the link so that a new one is negotiated. */
  replace(id: string): void;
}

export interface LinkWatchdogOptions {
  readonly intervalMs?: number;
  readonly silenceMs?: number;
  readonly openTimeoutMs?: number;
  readonly now?: () => number;
}

export class LinkWatchdog {
  readonly intervalMs: number;
  readonly silenceMs: number;
  readonly openTimeoutMs: number;
  private readonly now: () => number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private replacedCount = 0;

  constructor(
    private readonly links: WatchedLinks,
    private readonly onReplace: (id: string, why: string) => void = () => undefined,
    options: LinkWatchdogOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.silenceMs = options.silenceMs ?? 4000;
    this.openTimeoutMs = options.openTimeoutMs ?? 10_000;
    this.now = options.now ?? (() => Date.now());
  }

  get replaced(): number {
    return this.replacedCount;
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = setInterval(() => this.check(), this.intervalMs);
  }

  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One round: ping healthy links, replace dead ones. Public for tests with a fake clock. */
  check(): void {
    const now = this.now();
    for (const link of this.links.list()) {
      if (!link.open) {
        if (now - link.createdAt > this.openTimeoutMs) this.replace(link.id, `did not open within ${this.openTimeoutMs} ms`);
        continue;
      }
      const heard = Math.max(link.lastReceived ?? 0, link.openedAt ?? link.createdAt);
      if (now - heard > this.silenceMs) this.replace(link.id, `silent for ${now - heard} ms`);
      else if (now - heard >= this.silenceMs / 2) this.links.ping(link.id);
    }
  }

  private replace(id: string, why: string): void {
    this.replacedCount++;
    this.links.replace(id);
    this.onReplace(id, why);
  }
}
