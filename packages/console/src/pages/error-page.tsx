import { Layout, type PageFrame } from './layout.js';

/** An action the API refused (or a page it could not read), with its message and a way back. */
export function ErrorPage(props: { frame: PageFrame; message: string; back: string }) {
  return (
    <Layout {...props.frame}>
      <p class="notice" role="alert">
        {props.message}
      </p>
      <p>
        <a href={props.back}>Back</a>
      </p>
    </Layout>
  );
}
