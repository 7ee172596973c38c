/** The console's single page: a header with the session, and the pages by path (preact-iso). */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBoundary, LocationProvider, lazy, Route, Router } from 'preact-iso';
import 'diff2html/bundles/css/diff2html.min.css';
import './style.css';
import { getSession, type Session } from './api.ts';
import { ReleasesPage } from './releases.tsx';

// Pages load when first opened: the layout engine, the diff renderer and the editor are most of
// the front end, and the release list needs none of them.
const ReleasePage = lazy(() => import('./release.tsx').then((m) => m.ReleasePage));
const HistoryPage = lazy(() => import('./history.tsx').then((m) => m.HistoryPage));
const OwnersPage = lazy(() => import('./owners.tsx').then((m) => m.OwnersPage));
const ValuesLayersPage = lazy(() => import('./values-layers.tsx').then((m) => m.ValuesLayersPage));
const UpgradePage = lazy(() => import('./upgrade.tsx').then((m) => m.UpgradePage));
const InstallPage = lazy(() => import('./upgrade.tsx').then((m) => m.InstallPage));

type Params = { params: { namespace: string; release: string } };

function NotFound() {
  return <p class="error">no such page</p>;
}

function App() {
  const [session, setSession] = useState<Session>();
  useEffect(() => {
    getSession().then(setSession);
  }, []);
  return (
    <LocationProvider>
      <header>
        <a href="/" class="brand">
          berth console
        </a>
        <a href="/install">Install</a>
        <span class="muted" data-testid="session">
          {session && `context ${session.context}${session.readOnly ? ' · read-only' : ''}`}
        </span>
      </header>
      <main>
        <ErrorBoundary>
          <Router>
            <Route path="/" component={ReleasesPage} />
            <Route path="/install" component={InstallPage} />
            <Route
              path="/releases/:namespace/:release"
              component={(p: Params) => <ReleasePage {...p.params} />}
            />
            <Route
              path="/releases/:namespace/:release/history"
              component={(p: Params) => <HistoryPage {...p.params} />}
            />
            <Route
              path="/releases/:namespace/:release/values"
              component={(p: Params) => <ValuesLayersPage {...p.params} />}
            />
            <Route
              path="/releases/:namespace/:release/owners"
              component={(p: Params) => <OwnersPage {...p.params} />}
            />
            <Route
              path="/releases/:namespace/:release/upgrade"
              component={(p: Params) => <UpgradePage {...p.params} />}
            />
            <Route default component={NotFound} />
          </Router>
        </ErrorBoundary>
      </main>
    </LocationProvider>
  );
}

render(<App />, document.getElementById('app')!);
