// Behaviours that are needed only after a tap (batch payment, payment history, waivers,
// the activity log, managing events, patrons and crew, your account, the guest link) start
// on first use: their modules travel in the console's one script but run only when first
// asked for, so opening a roster runs none of them. One that fails to start says so in
// plain words.
import { ui } from './sel.js';
import { showError } from './status.js';

const LOADERS = {
  batch: () => import('./batch-modal.js'),
  waiver: () => import('./waiver-modal.js'),
  gate: () => import('./gate-modal.js'),
  scan: () => import('./scan.js'),
  history: () => import('./history-modal.js'),
  audit: () => import('./audit-modal.js'),
  money: () => import('./money-modal.js'),
  cashup: () => import('./cashup-modal.js'),
  eventForm: () => import('./event-form.js'),
  patronForm: () => import('./patron-form.js'),
  csvImport: () => import('./csv-import.js'),
  account: () => import('./account-modal.js'),
  crew: () => import('./crew-modal.js'),
  kiosk: () => import('./kiosk-admin.js'),
  guestLink: () => import('./guest-link.js'),
  weather: () => import('./weather-modal.js'),
  shift: () => import('./shift-modal.js'),
  rebook: () => import('./rebook-modal.js'),
};

export function lazy(module, name) {
  return async (...args) => {
    let loaded;
    try {
      loaded = await LOADERS[module]();
    } catch {
      showError(new Error('This part of the console could not be started. Reload the page and try again.'));
      return undefined;
    }
    return loaded[name](...args);
  };
}

const BUTTONS = [
  ['batchOpen', lazy('batch', 'openBatch')],
  ['scanOpen', lazy('scan', 'openScan')],
  ['showAudit', lazy('audit', 'openAudit')],
  ['showMoney', lazy('money', 'openMoney')],
  ['showCashup', lazy('cashup', 'openCashup')],
  ['newEvent', lazy('eventForm', 'openNewEvent')],
  ['editEvent', lazy('eventForm', 'openEditEvent')],
  ['addPatron', lazy('patronForm', 'openPatronForm')],
  ['importCsv', lazy('csvImport', 'openImport')],
  ['accountOpen', lazy('account', 'openAccount')],
  ['crewOpen', lazy('crew', 'openCrew')],
  ['startKiosk', lazy('kiosk', 'startKiosk')],
  ['showKiosks', lazy('kiosk', 'showKiosks')],
  ['cancelDeparture', lazy('weather', 'openWeather')],
  ['shiftDeparture', lazy('shift', 'openShift')],
];

export function wireLazyButtons() {
  for (const [name, open] of BUTTONS) {
    ui(name).addEventListener('click', (event) => open(event.currentTarget));
  }
}
