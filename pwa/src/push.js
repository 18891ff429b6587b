// Web push from the page's side: subscribe only after the person asked (the
// settings page explains why first), and unsubscribe at logout.

/** vapidKeyBytes turns the server's base64url VAPID public key into bytes. */
export function vapidKeyBytes(base64url) {
  const pad = '='.repeat((4 - (base64url.length % 4)) % 4);
  const b64 = (base64url + pad).replace(/-/g, '+').replace(/_/g, '/');
  const raw = atob(b64);
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
  return out;
}

/** deviceLabel is a human hint for the devices list ("Android", "iPhone", …). */
export function deviceLabel(ua = navigator.userAgent) {
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Mac OS X/.test(ua) ? 'macOS'
    : /Windows/.test(ua) ? 'Windows' : /Linux/.test(ua) ? 'Linux' : '';
  const browser = /Edg\//.test(ua) ? 'Edge' : /Firefox\//.test(ua) ? 'Firefox' : /Chrome\//.test(ua) ? 'Chrome'
    : /Safari\//.test(ua) ? 'Safari' : '';
  return [browser, os].filter(Boolean).join(' · ') || 'Browser';
}

export function pushSupported() {
  return typeof navigator !== 'undefined' && 'serviceWorker' in navigator && typeof PushManager !== 'undefined' && typeof Notification !== 'undefined';
}

/** enablePush asks permission, subscribes and registers the subscription. */
export async function enablePush(api, vapidPublicKey) {
  const permission = await Notification.requestPermission();
  if (permission !== 'granted') return { ok: false, reason: permission };
  const reg = await navigator.serviceWorker.ready;
  let key = vapidPublicKey;
  if (!key) key = (await api.get('/api/v1/push/vapid-public-key')).data.key;
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: vapidKeyBytes(key) });
  const res = await api.post('/api/v1/push/subscriptions', { ...sub.toJSON(), label: deviceLabel() });
  try { localStorage.setItem('minside.pushId', JSON.stringify(res.data.id)); } catch { /* fine */ }
  return { ok: true, subscription: res.data };
}

/** disablePush removes this device's subscription on the server and in the browser. */
export async function disablePush(api, reg) {
  if (!pushSupported()) return;
  const registration = reg || await navigator.serviceWorker.getRegistration();
  const sub = registration && await registration.pushManager.getSubscription();
  let id = null;
  try { id = JSON.parse(localStorage.getItem('minside.pushId')); localStorage.removeItem('minside.pushId'); } catch { /* fine */ }
  if (id) await api.del(`/api/v1/push/subscriptions/${encodeURIComponent(id)}`).catch(() => {});
  if (sub) await sub.unsubscribe();
}
