// The few things the console asks of the browser directly. They live in this module (loaded by
// the app's own script) rather than in `document::eval`, which runs text through `Function` and
// would need the page's Content-Security-Policy to allow 'unsafe-eval'.

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function setTitle(title) {
  document.title = title;
}

export function markHydrated() {
  document.documentElement.dataset.hydrated = 'true';
}

export function printPage() {
  window.print();
}

export function download(name, text, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type }));
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

export function nowMs() {
  return Date.now();
}

const pad = (n) => String(n).padStart(2, '0');

// A moment in the viewer's own time zone: `2026-12-02 10:15 UTC+01:00` (`UTC` when it is UTC).
export function localTime(ms) {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const zone = off === 0 ? 'UTC' : `UTC${off > 0 ? '+' : '-'}${pad(Math.floor(Math.abs(off) / 60))}:${pad(Math.abs(off) % 60)}`;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())} ${zone}`;
}

// Passkeys: the server's options go to navigator.credentials, and the device's answer comes back
// as JSON text with binary fields in base64url, as webauthn-rs reads them.
const b64 = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
const bytes = (s) => {
  const t = s.replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(t + '='.repeat((4 - (t.length % 4)) % 4)), (c) => c.charCodeAt(0));
};
const failed = (e) => JSON.stringify({ error: (e && e.name) || 'Error' });
const supported = () => !!(window.PublicKeyCredential && navigator.credentials);

export async function passkeyCreate(optionsJson) {
  if (!supported()) return JSON.stringify({ error: 'Unsupported' });
  try {
    const pk = JSON.parse(optionsJson).publicKey;
    pk.challenge = bytes(pk.challenge);
    pk.user.id = bytes(pk.user.id);
    (pk.excludeCredentials || []).forEach((c) => { c.id = bytes(c.id); });
    // A passkey that can sign in without an email typed first: kept on the device.
    pk.authenticatorSelection = Object.assign({}, pk.authenticatorSelection, { residentKey: 'required', requireResidentKey: true });
    const c = await navigator.credentials.create({ publicKey: pk });
    return JSON.stringify({
      id: c.id, rawId: b64(c.rawId), type: c.type, extensions: {},
      response: { attestationObject: b64(c.response.attestationObject), clientDataJSON: b64(c.response.clientDataJSON) },
    });
  } catch (e) {
    return failed(e);
  }
}

export async function passkeyGet(optionsJson) {
  if (!supported()) return JSON.stringify({ error: 'Unsupported' });
  try {
    const pk = JSON.parse(optionsJson).publicKey;
    pk.challenge = bytes(pk.challenge);
    (pk.allowCredentials || []).forEach((c) => { c.id = bytes(c.id); });
    const c = await navigator.credentials.get({ publicKey: pk });
    const r = c.response;
    return JSON.stringify({
      id: c.id, rawId: b64(c.rawId), type: c.type, extensions: {},
      response: {
        authenticatorData: b64(r.authenticatorData), clientDataJSON: b64(r.clientDataJSON), signature: b64(r.signature),
        userHandle: r.userHandle ? b64(r.userHandle) : null,
      },
    });
  } catch (e) {
    return failed(e);
  }
}

// Puts text on the clipboard; false when the browser refuses (no secure context, no permission).
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch (e) {
    return false;
  }
}

// A `datetime-local` field's value ("2026-12-24T17:30") as a moment, read in the viewer's own
// time zone (NaN when it is no date).
export function localInputMs(text) {
  return new Date(text).getTime();
}

// The viewer's time zone as the console writes it: `UTC` or `UTC+01:00`.
export function zoneLabel() {
  const t = localTime(Date.now());
  return t.slice(t.indexOf('UTC'));
}
