/**
 * Registers the service worker that keeps the app shell (see scripts/serviceWorkerPlugin.mjs),
 * so a node starts in the field with no server reachable. Production builds only: in dev the
 * shell changes on every edit.
 */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return undefined;
  try {
    return await navigator.serviceWorker.register('./sw.js', { scope: './' });
  } catch (error) {
    // Not fatal: the node works, it just will not start offline.
    console.warn('lattice: the service worker could not be registered; the app will not load offline.', error);
    return undefined;
  }
}
