import { Layout } from './layout.js';

/** Sign in with an API key (API-key servers only). The form posts same-origin; the key is never echoed. */
export function LoginPage(props: { notice?: string }) {
  return (
    <Layout title="Sign in" csrf="" signedIn={false} notice={props.notice}>
      <form method="post" action="/console/login" class="stack narrow">
        <label for="key">API key</label>
        <input id="key" name="key" type="password" autocomplete="off" required />
        <button type="submit">Sign in</button>
      </form>
      <p class="hint">Create a key with <code>lightspeed keys create --universe NAME</code>; the console shows that key's universe.</p>
    </Layout>
  );
}
