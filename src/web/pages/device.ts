import { html } from '../html.js';
import { errorList, layout } from '../layout.js';

interface DevicePageBase {
  appName: string;
  csrfToken: string;
  userName: string;
}

export interface DeviceCodePage extends DevicePageBase {
  /** What goes in the field: the code from `?user_code=`, or what was typed last time. */
  userCode: string;
  errors: readonly string[];
}

export interface DeviceConfirmPage extends DevicePageBase {
  /** The code as the device shows it (XXXX-XXXX). */
  userCode: string;
  clientName: string;
  scopes: readonly { id: string; description: string }[];
}

export interface DeviceDonePage extends DevicePageBase {
  approved: boolean;
  clientName: string;
}

/** RFC 8628 §3.3: the page the device sends its user to, asking for the code it shows. */
export function renderDeviceCodePage(page: DeviceCodePage): string {
  const invalid = page.errors.length > 0;
  const body = html`<div class="card">
<h1>Connect a device</h1>
${errorList(page.errors)}
<p>Enter the code shown on your device.</p>
<form method="post" action="/oauth/device" novalidate>
<input type="hidden" name="_token" value="${page.csrfToken}">
<label for="user_code">Code</label>
<input id="user_code" name="user_code" type="text" inputmode="text" autocomplete="off" autocapitalize="characters" spellcheck="false" placeholder="XXXX-XXXX" required autofocus value="${page.userCode}"${invalid ? html` aria-invalid="true" aria-describedby="form-errors"` : ''}>
<div class="actions"><button type="submit">Continue</button></div>
</form>
</div>`;
  return layout({ title: 'Connect a device', appName: page.appName, csrfToken: page.csrfToken, userName: page.userName, body });
}

/** RFC 8628 §5.4: name the client and what it asks for, and let the user check the code, before it gets anything. */
export function renderDeviceConfirmPage(page: DeviceConfirmPage): string {
  const hidden = html`<input type="hidden" name="_token" value="${page.csrfToken}">
<input type="hidden" name="user_code" value="${page.userCode}">`;
  const scopes = page.scopes.length
    ? html`<p>This application will be able to:</p>
<ul class="scopes">${page.scopes.map((scope) => html`<li>${scope.description}</li>`)}</ul>`
    : '';
  const body = html`<div class="card">
<h1>Authorize a device</h1>
<p><strong>${page.clientName}</strong> is requesting permission to access your account on the device showing the code <strong>${page.userCode}</strong>.</p>
${scopes}
<p class="muted">Only approve if you started this on your own device and it shows this code.</p>
<div class="actions">
<form method="post" action="/oauth/device">
${hidden}
<input type="hidden" name="action" value="approve">
<button type="submit">Approve</button>
</form>
<form method="post" action="/oauth/device">
${hidden}
<input type="hidden" name="action" value="deny">
<button type="submit" class="secondary">Deny</button>
</form>
</div>
</div>`;
  return layout({ title: 'Authorize a device', appName: page.appName, csrfToken: page.csrfToken, userName: page.userName, body });
}

/** After the answer: the device picks it up on its next poll. */
export function renderDeviceDonePage(page: DeviceDonePage): string {
  const body = page.approved
    ? html`<div class="card" role="status">
<h1>Device connected</h1>
<p><strong>${page.clientName}</strong> is now connected to your account. You can return to your device.</p>
</div>`
    : html`<div class="card" role="status">
<h1>Request denied</h1>
<p><strong>${page.clientName}</strong> was not given access to your account. You can close this page.</p>
</div>`;
  const title = page.approved ? 'Device connected' : 'Request denied';
  return layout({ title, appName: page.appName, csrfToken: page.csrfToken, userName: page.userName, body });
}
