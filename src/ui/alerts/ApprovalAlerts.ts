/**
 * How the queue calls for attention beyond the screen: a tone for a new request and for a
 * deadline under 10 s, and a desktop notification when the operator has turned them on.
 *
 * The browser is never asked for notification permission on its own: only when the operator
 * presses the toggle (a user gesture, as browsers require). A notification is sent only while
 * the page is hidden, since the on-screen cue already does the job when it is in view.
 */
import { playTone } from './alertTone.js';

/** A request as the alerts need it. */
export interface AlertSubject {
  readonly requestId: string;
  readonly title: string;
}

/** What the queue calls; tests pass a recorder. */
export interface ApprovalAlerts {
  newRequest(subject: AlertSubject): void;
  urgent(subject: AlertSubject): void;
}

export const NOTIFICATION_STATE = {
  /** This browser has no notifications. */
  unavailable: 'unavailable',
  off: 'off',
  on: 'on',
  /** The operator turned them on but the browser refused permission. */
  blocked: 'blocked',
} as const;
export type NotificationState = (typeof NOTIFICATION_STATE)[keyof typeof NOTIFICATION_STATE];

const hasNotifications = (): boolean => typeof Notification !== 'undefined';

/** Tone always (unless muted), desktop notification when allowed. */
export class OperatorAlerts implements ApprovalAlerts {
  sound = true;
  private wantsNotifications = false;

  get notifications(): NotificationState {
    if (!hasNotifications()) return NOTIFICATION_STATE.unavailable;
    if (!this.wantsNotifications) return NOTIFICATION_STATE.off;
    return Notification.permission === 'granted' ? NOTIFICATION_STATE.on : NOTIFICATION_STATE.blocked;
  }

  /** Turns desktop notifications on or off; asks the browser only when turning on from a gesture. */
  async setNotifications(on: boolean): Promise<NotificationState> {
    this.wantsNotifications = on && hasNotifications();
    if (this.wantsNotifications && Notification.permission === 'default') await Notification.requestPermission();
    return this.notifications;
  }

  newRequest(subject: AlertSubject): void {
    if (this.sound) playTone('request');
    this.notify(`Approval needed: ${subject.title}`, subject.requestId);
  }

  urgent(subject: AlertSubject): void {
    if (this.sound) playTone('urgent');
    this.notify(`Under 10 s to decide: ${subject.title}`, subject.requestId);
  }

  private notify(body: string, tag: string): void {
    if (this.notifications !== NOTIFICATION_STATE.on || document.visibilityState === 'visible') return;
    // A notification replaces the previous one for the same request (same tag) instead of piling up.
    new Notification('Lattice Mesh', { body, tag });
  }
}
