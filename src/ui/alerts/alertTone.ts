/**
 * A short tone through WebAudio, for cues an operator must not miss while looking elsewhere.
 *
 * Audio may be missing (no AudioContext, a headless browser, a policy) or not yet allowed (the
 * autoplay rule: a context made before any user gesture starts suspended). Neither may break the
 * queue, so `playTone` reports whether it could play and never throws; the visual cue is the
 * one that is always there.
 */

export const TONES = {
  /** A new request arrived: one mid tone. */
  request: { frequency: 880, durationMs: 140, repeats: 1 },
  /** A deadline is under 10 s: two higher tones. */
  urgent: { frequency: 1320, durationMs: 110, repeats: 2 },
} as const;
export type ToneKind = keyof typeof TONES;

type AudioContextConstructor = new () => AudioContext;

let context: AudioContext | undefined;

function audioContext(): AudioContext | undefined {
  if (context) return context;
  const scope = globalThis as { AudioContext?: AudioContextConstructor; webkitAudioContext?: AudioContextConstructor };
  const Ctor = scope.AudioContext ?? scope.webkitAudioContext;
  if (!Ctor) return undefined;
  context = new Ctor();
  return context;
}

/** Plays `kind`; false when audio is unavailable here (the reason goes to the console once). */
export function playTone(kind: ToneKind): boolean {
  try {
    const ctx = audioContext();
    if (!ctx) return false;
    // Resuming is allowed once the page has had a gesture; before that it stays suspended.
    if (ctx.state === 'suspended') void ctx.resume().catch(warnOnce);
    const tone = TONES[kind];
    const start = ctx.currentTime + 0.01;
    for (let i = 0; i < tone.repeats; i++) {
      const at = start + (i * tone.durationMs * 1.6) / 1000;
      const end = at + tone.durationMs / 1000;
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = tone.frequency;
      // A short ramp in and out: a hard-edged sine clicks.
      gain.gain.setValueAtTime(0, at);
      gain.gain.linearRampToValueAtTime(0.15, at + 0.01);
      gain.gain.linearRampToValueAtTime(0, end);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(end + 0.02);
    }
    return true;
  } catch (error) {
    warnOnce(error);
    return false;
  }
}

let warned = false;
function warnOnce(error: unknown): void {
  if (warned) return;
  warned = true;
  console.warn(`Approval tones are off: audio is not available here (${error instanceof Error ? error.message : String(error)}).`);
}
