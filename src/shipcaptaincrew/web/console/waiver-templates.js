// The waiver template choice on the event form. Shown only when the server offers
// templates (GET /api/waiver-templates); a 404 hides the field.
import { apiFetch } from './api.js';
import { h } from './el.js';
import { ui } from './sel.js';
import { urls } from './urls.js';

export async function fillTemplates(selectedId) {
  const field = ui('eventTemplateField');
  const select = ui('eventTemplate');
  let templates;
  try {
    ({ templates } = await apiFetch(urls.waiverTemplates()));
  } catch (err) {
    field.hidden = true;
    if (err.status === 404) return false;
    throw err;
  }
  select.replaceChildren(
    h('option', { value: '', text: 'No waiver template' }),
    ...templates.map((t) => h('option', { value: t.id, text: `${t.name} (version ${t.version})` })),
  );
  select.value = selectedId || '';
  field.hidden = false;
  return true;
}

export function chosenTemplate() {
  return ui('eventTemplateField').hidden ? undefined : ui('eventTemplate').value || null;
}
