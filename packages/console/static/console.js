// The console's one script (progressive enhancement; every page works without it):
// - a session page follows its live stream: token deltas go into a streaming bubble (as text,
//   never markup), and each durable event re-fetches the server-rendered facts and transcript;
// - the send form posts in the background so the page keeps its stream open;
// - task pages follow the task events and re-fetch themselves when a task moves.
// EventSource reconnects by itself and sends Last-Event-ID, which the server resumes from.
(() => {
  'use strict';
  const taskLive = document.getElementById('task-live');
  if (taskLive) followTasks(taskLive);
  const transcript = document.getElementById('transcript');
  if (!transcript) return;
  const live = document.getElementById('live-answer');
  const liveText = live && live.querySelector('.text');
  const state = document.getElementById('stream-state');
  let refreshing = false;
  let again = false;
  // Steer needs a running run: the button follows the transcript (the server refuses otherwise).
  const steer = document.getElementById('steer-button');
  const syncSteer = () => {
    if (steer) steer.disabled = !transcript.querySelector('section.run[data-run-status="running"]');
  };
  syncSteer();

  async function refresh() {
    if (refreshing) {
      again = true;
      return;
    }
    refreshing = true;
    try {
      const response = await fetch(transcript.dataset.transcriptUrl, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (response.ok) {
        // Same-origin HTML rendered (and escaped) by the server's one transcript renderer.
        transcript.innerHTML = await response.text();
        syncSteer();
      }
    } finally {
      refreshing = false;
      if (again) {
        again = false;
        void refresh();
      }
    }
  }

  let timer;
  function scheduleRefresh() {
    clearTimeout(timer);
    timer = setTimeout(refresh, 60);
  }

  const url = `${transcript.dataset.eventsUrl}?after=${encodeURIComponent(transcript.dataset.after || '0')}`;
  const source = new EventSource(url);
  source.addEventListener('ready', () => {
    if (state) state.textContent = 'live';
  });
  source.addEventListener('delta', (message) => {
    const data = JSON.parse(message.data);
    if (!data.delta || data.delta.type !== 'text' || !live || !liveText) return;
    live.hidden = false;
    liveText.textContent += data.delta.text;
  });
  source.addEventListener('event', (message) => {
    const event = JSON.parse(message.data);
    const type = event && event.kind && event.kind.type;
    // A finished answer is in the transcript now: the streaming bubble gives way to it.
    if ((type === 'contextEntriesApplied' || type === 'turnCompleted' || /^run(Completed|Failed|Cancelled)$/.test(type)) && live && liveText) {
      liveText.textContent = '';
      live.hidden = true;
    }
    scheduleRefresh();
  });
  source.addEventListener('error', () => {
    if (state) state.textContent = source.readyState === EventSource.CLOSED ? 'stream closed; reload the page' : 'reconnecting…';
  });

  const form = document.getElementById('send-form');
  if (form) {
    form.addEventListener('submit', async (submit) => {
      submit.preventDefault();
      const body = new URLSearchParams(new FormData(form));
      // Send or Steer: the button pressed names its own action (formaction).
      const pressed = submit.submitter;
      const action = pressed && pressed.hasAttribute('formaction') ? pressed.formAction : form.action;
      const buttons = form.querySelectorAll('button');
      buttons.forEach((button) => (button.disabled = true));
      try {
        const response = await fetch(action, { method: 'POST', body, credentials: 'same-origin', redirect: 'manual' });
        if (response.type === 'opaqueredirect' || response.ok) {
          form.reset();
          if (state) state.textContent = action === form.action ? 'sent' : 'steered';
        } else {
          if (state) state.textContent = `not sent (HTTP ${response.status}); try again`;
        }
      } finally {
        buttons.forEach((button) => (button.disabled = false));
        syncSteer();
      }
    });
  }

  // The task list or task page, re-fetched (same URL) and its live part swapped in. DOMParser
  // runs no script; the markup is this server's own, escaped when rendered.
  function followTasks(region) {
    let timer;
    const reload = async () => {
      const response = await fetch(window.location.href, { credentials: 'same-origin', headers: { accept: 'text/html' } });
      if (!response.ok) return;
      const fresh = new window.DOMParser().parseFromString(await response.text(), 'text/html').getElementById('task-live');
      if (fresh) region.innerHTML = fresh.innerHTML;
    };
    const source = new EventSource(region.dataset.eventsUrl);
    const schedule = () => {
      clearTimeout(timer);
      timer = setTimeout(reload, 100);
    };
    // Once open, one re-fetch covers what moved between this page's render and the stream's start.
    source.addEventListener('ready', () => {
      region.setAttribute('data-live', 'ready');
      schedule();
    });
    source.addEventListener('task', schedule);
    source.addEventListener('reset', schedule);
  }
})();
