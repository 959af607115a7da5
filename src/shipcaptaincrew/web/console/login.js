// The sign-in form. On failure the message shows and the email stays as typed.
import { signIn } from './session.js';
import { ui } from './sel.js';
import { announce } from './status.js';

export function wireLogin() {
  const form = ui('loginForm');
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button[type=submit]');
    ui('loginError').textContent = '';
    button.disabled = true;
    try {
      const crew = await signIn(form.elements.email.value.trim(), form.elements.password.value);
      form.elements.password.value = '';
      announce(`Signed in as ${crew.name}.`);
    } catch (err) {
      ui('loginError').textContent =
        err.status === 401 ? 'Wrong email or password. Try again.' : err.message;
      form.elements.password.focus();
    } finally {
      button.disabled = false;
    }
  });
}
