import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';

export interface PageFrame {
  title: string;
  /** The form token every POST form carries. */
  csrf: string;
  /** Offer "sign out" (API-key servers). */
  signedIn: boolean;
  universe?: string;
  /** Which nav entry is the current page. */
  section?: (typeof SECTIONS)[number]['id'];
  /** A message to show above the page (e.g. why the last action was refused). */
  notice?: string | undefined;
}

/** The hidden form-token field of every console POST form. */
export function FormToken(props: { csrf: string }) {
  return <input type="hidden" name="csrf" value={props.csrf} />;
}

const SECTIONS = [
  { id: 'sessions', href: '/console/sessions', label: 'Sessions' },
  { id: 'tasks', href: '/console/tasks', label: 'Tasks' },
  { id: 'schedules', href: '/console/schedules', label: 'Schedules' },
  { id: 'triggers', href: '/console/triggers', label: 'Triggers' },
  { id: 'events', href: '/console/events', label: 'Events' },
  { id: 'workflows', href: '/console/workflows', label: 'Workflows' },
  { id: 'memory', href: '/console/memory', label: 'Memory' },
  { id: 'environments', href: '/console/environments', label: 'Environments' },
  { id: 'health', href: '/console/health', label: 'Health' },
] as const;

/**
 * Every console page: one stylesheet and one small script from this server, nothing inline (the
 * Content-Security-Policy forbids inline script and style, so injected markup could not run).
 */
export function Layout(props: PageFrame & { children: Child; /** Reload the page every n seconds (a job still running); no script needed. */ refreshSeconds?: number | undefined }) {
  return (
    <>
      {raw('<!doctype html>')}
      <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        {props.refreshSeconds ? <meta http-equiv="refresh" content={String(props.refreshSeconds)} /> : null}
        <title>{`${props.title} · Lightspeed console`}</title>
        <link rel="icon" href="/console/static/favicon.svg" type="image/svg+xml" />
          <link rel="stylesheet" href="/console/static/console.css" />
        <script src="/console/static/console.js" defer></script>
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/console/sessions">Lightspeed</a>
          <nav aria-label="Console sections">
            <ul>
              {SECTIONS.map((section) => (
                <li>
                  <a href={section.href} aria-current={props.section === section.id ? 'page' : undefined}>
                    {section.label}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
          {props.universe !== undefined ? <span class="universe">universe {props.universe}</span> : null}
          {props.signedIn ? (
            <form method="post" action="/console/logout" class="logout">
              <FormToken csrf={props.csrf} />
              <button type="submit">Sign out</button>
            </form>
          ) : null}
        </header>
        <main id="main">
          <h1>{props.title}</h1>
          {props.notice ? (
            <p class="notice" role="alert">
              {props.notice}
            </p>
          ) : null}
          {props.children}
        </main>
      </body>
      </html>
    </>
  );
}
