/* global document, navigator, Element */
// The dashboard's behaviour. Forms and buttons call Passport's JSON management API with the
// session cookie and the CSRF header from <meta name="csrf-token">; lists are re-rendered from
// its answers with the same markup as src/web/pages/dashboard.ts. Data reaches the page only as
// text nodes and input values, never as HTML, so a client named "<script>" stays text.
(() => {
  'use strict';

  const csrfToken = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
  const byId = (id) => document.getElementById(id);

  class ApiError extends Error {
    constructor(status, body) {
      super(explain(status, body));
      this.status = status;
      this.body = body;
    }
  }

  function explain(status, body) {
    if (status === 401) return 'Your session has ended. Log in again, then retry.';
    if (status === 419) return 'This page has expired. Reload it, then retry.';
    if (status === 429) return 'Too many requests. Wait a minute, then retry.';
    if (body && typeof body.message === 'string') return body.message;
    return `Something went wrong (HTTP ${status}). Please retry.`;
  }

  async function api(method, url, body) {
    const headers = { Accept: 'application/json', 'X-CSRF-TOKEN': csrfToken };
    const init = { method, credentials: 'same-origin', headers };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(url, init);
    } catch {
      throw new ApiError(0, { message: 'The server could not be reached. Check your connection, then retry.' });
    }
    const text = await response.text();
    let data;
    try {
      data = text ? JSON.parse(text) : null;
    } catch {
      data = null;
    }
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  /** An element with attributes and children; strings become text nodes (never parsed as HTML). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
    node.append(...children.flat().filter((child) => child !== null && child !== undefined));
    return node;
  }

  const srOnly = (text) => el('span', { class: 'visually-hidden' }, ` ${text}`);
  const day = (timestamp) => (timestamp ? el('time', { datetime: timestamp }, timestamp.slice(0, 10)) : 'never');
  const meta = (rows) => el('dl', { class: 'meta' }, rows.map(([term, ...value]) => el('div', {}, el('dt', {}, term), el('dd', {}, ...value))));

  function clientItem(client) {
    const uris = client.redirect.split(',').filter((uri) => uri !== '');
    return el(
      'li',
      { class: 'item', 'data-id': client.id, 'data-name': client.name, 'data-redirect': client.redirect },
      el('div', { class: 'item-main' }, el('h3', { class: 'item-title' }, client.name), meta([
        ['Client ID', el('code', {}, client.id)],
        ['Redirect URIs', ...uris.flatMap((uri) => [el('code', {}, uri), ' '])],
      ])),
      el('div', { class: 'item-actions' },
        el('button', { type: 'button', class: 'secondary', 'data-action': 'edit-client' }, 'Edit', srOnly(client.name)),
        el('button', { type: 'button', class: 'danger', 'data-action': 'delete-client' }, 'Delete', srOnly(client.name))),
    );
  }

  /** A lifetime in its largest whole unit, as the page renders it. */
  function duration(seconds) {
    const [size, unit] = [[86400, 'day'], [3600, 'hour'], [60, 'minute'], [1, 'second']].find(([length]) => seconds % length === 0);
    const count = seconds / size;
    return `${count} ${unit}${count === 1 ? '' : 's'}`;
  }

  const defaultTtl = Number(byId('resources-list').closest('section').dataset.defaultTtl);

  function resourceItem(resource) {
    return el(
      'li',
      { class: 'item', 'data-id': resource.id, 'data-name': resource.name },
      el('div', { class: 'item-main' }, el('h3', { class: 'item-title' }, resource.name), meta([
        ['URI', el('code', {}, resource.uri)],
        ['Scopes', resource.scopes && resource.scopes.length > 0 ? resource.scopes.join(' ') : 'any scope'],
        ['Token lifetime', resource.token_ttl === null ? `default (${duration(defaultTtl)})` : duration(resource.token_ttl)],
      ])),
      el('div', { class: 'item-actions' }, el('button', { type: 'button', class: 'danger', 'data-action': 'delete-resource' }, 'Delete', srOnly(resource.name))),
    );
  }

  function tokenItem(token, title, action) {
    return el(
      'li',
      { class: 'item', 'data-id': token.id, 'data-name': title },
      el('div', { class: 'item-main' }, el('h3', { class: 'item-title' }, title), meta([
        ['Scopes', token.scopes.length > 0 ? token.scopes.join(', ') : 'none'],
        ['Created', day(token.created_at)],
        ['Expires', day(token.expires_at)],
      ])),
      el('div', { class: 'item-actions' }, el('button', { type: 'button', class: 'danger', 'data-action': action }, 'Revoke', srOnly(title))),
    );
  }

  const sections = {
    clients: { url: '/oauth/clients', list: 'clients-list', status: 'clients-status', item: clientItem },
    resources: { url: '/oauth/resources', list: 'resources-list', status: 'resources-status', item: resourceItem },
    authorized: { url: '/oauth/tokens', list: 'authorized-list', status: 'authorized-status', item: (token) => tokenItem(token, token.client.name, 'revoke-authorized') },
    tokens: { url: '/oauth/personal-access-tokens', list: 'tokens-list', status: 'tokens-status', item: (token) => tokenItem(token, token.name ?? '', 'revoke-token') },
  };

  async function refresh(key) {
    const section = sections[key];
    const list = byId(section.list);
    const items = (await api('GET', section.url)).map(section.item);
    list.replaceChildren(...(items.length > 0 ? items : [el('li', { class: 'empty' }, list.dataset.empty)]));
  }

  function say(key, message, isError = false) {
    const region = byId(sections[key].status);
    region.classList.toggle('is-error', isError);
    region.textContent = message;
  }

  function clearErrors(form) {
    for (const slot of form.querySelectorAll('[data-error-for]')) {
      slot.textContent = '';
      slot.hidden = true;
    }
    for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    const alert = form.querySelector('.form-alert');
    alert.textContent = '';
    alert.hidden = true;
  }

  /** Laravel's 422 messages go under their fields; anything else to the form's alert. */
  function showErrors(form, error) {
    const errors = error instanceof ApiError && error.status === 422 && error.body?.errors ? error.body.errors : {};
    const slots = [...form.querySelectorAll('[data-error-for]')];
    let placed = false;
    for (const [field, messages] of Object.entries(errors)) {
      const slot = slots.find((candidate) => candidate.dataset.errorFor === field.split('.')[0]);
      if (!slot) continue;
      slot.textContent = messages.join(' ');
      slot.hidden = false;
      // The field (or the fieldset of checkboxes) that this message describes.
      const owner = form.querySelector(`[aria-describedby~="${slot.id}"]`);
      if (owner?.tagName === 'INPUT') owner.setAttribute('aria-invalid', 'true');
      if (!placed) (owner?.tagName === 'INPUT' ? owner : owner?.querySelector('input'))?.focus();
      placed = true;
    }
    if (placed) return;
    const alert = form.querySelector('.form-alert');
    alert.textContent = error instanceof Error ? error.message : String(error);
    alert.hidden = false;
  }

  /** Runs a form's request with its button disabled; failures are shown on the form. */
  function onSubmit(form, work) {
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const button = form.querySelector('button[type="submit"]');
      clearErrors(form);
      button.disabled = true;
      form.setAttribute('aria-busy', 'true');
      try {
        await work(form);
      } catch (error) {
        showErrors(form, error);
      } finally {
        button.disabled = false;
        form.removeAttribute('aria-busy');
      }
    });
  }

  const value = (form, name) => form.elements.namedItem(name).value;

  function reveal(panel, fields) {
    for (const [id, text] of Object.entries(fields)) byId(id).value = text;
    panel.hidden = false;
    panel.focus();
  }

  onSubmit(byId('client-create'), async (form) => {
    const body = { name: value(form, 'name'), redirect: value(form, 'redirect'), confidential: form.elements.namedItem('confidential').checked };
    const client = await api('POST', '/oauth/clients', body);
    form.reset();
    const panel = byId('client-created');
    const kind = client.plainSecret ? 'confidential' : 'public';
    for (const node of panel.querySelectorAll('[data-when]')) node.hidden = node.dataset.when !== kind;
    // The only time the secret exists outside the server (it is stored hashed); a reload loses it.
    reveal(panel, { 'new-client-id': client.id, 'new-client-secret': client.plainSecret ?? '' });
    await refresh('clients');
    say('clients', `Client “${client.name}” created.`);
  });

  /** The form asks for minutes; the API takes seconds. Empty: the server's default. */
  function tokenTtl(form) {
    const text = value(form, 'token_ttl').trim();
    if (text === '') return undefined;
    const minutes = /^\d+$/.test(text) ? Number(text) : NaN;
    if (!(minutes >= 1 && minutes <= 525600)) {
      // Shown as the API's own 422 would be: under the field.
      const message = 'The token lifetime must be a whole number of minutes, from 1 to 525600 (a year).';
      throw new ApiError(422, { message, errors: { token_ttl: [message] } });
    }
    return minutes * 60;
  }

  onSubmit(byId('resource-create'), async (form) => {
    const body = { uri: value(form, 'uri'), name: value(form, 'name'), token_ttl: tokenTtl(form) };
    const scopes = value(form, 'scopes').trim();
    if (scopes !== '') body.scopes = scopes;
    const resource = await api('POST', '/oauth/resources', body);
    form.reset();
    await refresh('resources');
    say('resources', `Resource server “${resource.name}” registered.`);
  });

  onSubmit(byId('token-create'), async (form) => {
    const scopes = [...form.querySelectorAll('input[name="scopes"]:checked')].map((box) => box.value);
    const result = await api('POST', '/oauth/personal-access-tokens', { name: value(form, 'name'), scopes });
    form.reset();
    reveal(byId('token-created'), { 'new-token': result.accessToken });
    await refresh('tokens');
    say('tokens', `Token “${result.token.name}” created.`);
  });

  function editField(id, name, label, text) {
    const input = el('input', { id, name, type: 'text', required: '', autocomplete: 'off', 'aria-describedby': `${id}-error` });
    input.value = text;
    return [el('label', { for: id }, label), input, el('p', { id: `${id}-error`, class: 'field-error', 'data-error-for': name, hidden: '' })];
  }

  function editClient(item) {
    if (item.querySelector('form')) return;
    const { id, name, redirect } = item.dataset;
    const form = el('form', { class: 'edit', novalidate: '', 'aria-label': `Edit client ${name}` },
      el('p', { class: 'form-alert', role: 'alert', hidden: '' }),
      editField(`edit-name-${id}`, 'name', 'Name', name),
      editField(`edit-redirect-${id}`, 'redirect', 'Redirect URIs', redirect),
      el('div', { class: 'actions' },
        el('button', { type: 'submit' }, 'Save'),
        el('button', { type: 'button', class: 'secondary', 'data-action': 'cancel-edit' }, 'Cancel')));
    onSubmit(form, async () => {
      const client = await api('PUT', `/oauth/clients/${encodeURIComponent(id)}`, { name: value(form, 'name'), redirect: value(form, 'redirect') });
      await refresh('clients');
      say('clients', `Client “${client.name}” updated.`);
    });
    // The details stay in view for context; the buttons give way to the form's own.
    item.querySelector('.item-actions').hidden = true;
    item.classList.add('editing');
    item.append(form);
    form.querySelector('input').focus();
  }

  function cancelEdit(item) {
    item.querySelector('form')?.remove();
    item.classList.remove('editing');
    item.querySelector('.item-actions').hidden = false;
    item.querySelector('[data-action="edit-client"]').focus();
  }

  /** A list button's request: the section's status region says how it went. */
  async function act(button, key, work, done) {
    button.disabled = true;
    try {
      await work();
      await refresh(key);
      say(key, done);
    } catch (error) {
      button.disabled = false;
      say(key, error.message, true);
    }
  }

  function dismiss(panel) {
    panel.hidden = true;
    // Forget the secret: it must not linger in the page.
    for (const field of panel.querySelectorAll('input, textarea')) field.value = '';
  }

  async function copy(button) {
    const field = byId(button.dataset.copy);
    const key = button.closest('#token-created') ? 'tokens' : 'clients';
    try {
      await navigator.clipboard.writeText(field.value);
      say(key, 'Copied to the clipboard.');
    } catch {
      // No clipboard access (an http page, or permission refused): select it for the user.
      field.focus();
      field.select();
      say(key, 'The text is selected: copy it with your device’s copy command.');
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('button[data-action]') : null;
    if (!button) return;
    const item = button.closest('li.item');
    const id = item ? encodeURIComponent(item.dataset.id) : '';
    const name = item?.dataset.name ?? '';
    switch (button.dataset.action) {
      case 'edit-client':
        return editClient(item);
      case 'cancel-edit':
        return cancelEdit(item);
      case 'delete-client':
        return act(button, 'clients', async () => {
          await api('DELETE', `/oauth/clients/${id}`);
          // Its tokens were revoked with it.
          await refresh('authorized');
        }, `Client “${name}” deleted.`);
      case 'delete-resource':
        return act(button, 'resources', () => api('DELETE', `/oauth/resources/${id}`), `Resource server “${name}” deleted.`);
      case 'revoke-authorized':
        return act(button, 'authorized', () => api('DELETE', `/oauth/tokens/${id}`), `Access for “${name}” revoked.`);
      case 'revoke-token':
        return act(button, 'tokens', () => api('DELETE', `/oauth/personal-access-tokens/${id}`), `Token “${name}” revoked.`);
      case 'copy':
        return copy(button);
      case 'dismiss':
        return dismiss(button.closest('.reveal'));
      default:
        return undefined;
    }
  });
})();
