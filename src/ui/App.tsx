import { useState, type ReactNode } from 'react';
import { ChainChart } from './components/ChainChart';
import { ChainToggles } from './components/ChainToggles';
import { ClassPicker } from './components/ClassPicker';
import { CompareControls } from './components/CompareControls';
import { CoverageReport } from './components/CoverageReport';
import { CropEditor } from './components/CropEditor';
import { DemoGallery } from './components/DemoGallery';
import { DisplayControls } from './components/DisplayControls';
import { DropZone } from './components/DropZone';
import { ErrorBanner } from './components/ErrorBanner';
import { EvaluateSection } from './components/EvaluateSection';
import { ImageSources } from './components/ImageSources';
import { ImageStrip } from './components/ImageStrip';
import { LayerList } from './components/LayerList';
import { LinkConfirm } from './components/LinkConfirm';
import { LayerScrubber } from './components/LayerScrubber';
import { LayerStrip } from './components/LayerStrip';
import { MapPane } from './components/MapPane';
import { MethodGrid } from './components/MethodGrid';
import { MethodSelect } from './components/MethodSelect';
import { ModelFacts } from './components/ModelFacts';
import { ModelGallery } from './components/ModelGallery';
import { ModelSource } from './components/ModelSource';
import { PreprocessEditor } from './components/PreprocessEditor';
import { RuleControls } from './components/RuleControls';
import { ShareExport } from './components/ShareExport';
import { StatusLine } from './components/StatusLine';
import { ThemeToggle } from './components/ThemeToggle';
import { TopClasses } from './components/TopClasses';
import { useApp, useAppState } from './context';
import { useGlobalKeys } from './hooks/useGlobalKeys';
import { usePasteFiles } from './hooks/usePasteFiles';

export function App() {
  const { store, actions } = useApp();
  useGlobalKeys(store);
  usePasteFiles(actions);
  return (
    <DropZone>
      <header className="topbar">
        <h1>
          panescope <span className="tagline">positive and negative excitations, layer by layer</span>
        </h1>
        <StatusLine />
        <ThemeToggle />
      </header>
      <Notice />
      <ErrorBanner />
      <LinkConfirm />
      <main className="layout">
        <aside className="sidebar left" aria-label="Image and model">
          <Section title="Image">
            <ImageSources />
            <DemoGallery />
            <ImageStrip />
            <CropEditor />
          </Section>
          <Section title="Model">
            <ModelSource />
            <ModelFacts />
            <Details summary="Model gallery (ImageNet CNNs by URL)">
              <ModelGallery />
            </Details>
            <Details summary="Preprocessing">
              <PreprocessEditor />
            </Details>
            <Details summary="Op coverage" open>
              <CoverageReport />
            </Details>
            <Details summary="Layers">
              <LayerList />
            </Details>
          </Section>
        </aside>
        <section className="center">
          <Panes />
          <LayerScrubber />
          <LayerStrip />
          <ChainChart />
          <LazyDetails summary="All methods: every map of this image and class" testId="methods-details">
            <MethodGrid />
          </LazyDetails>
          <LazyDetails
            summary="Faithfulness: deletion, insertion and minor-pixel (LeRF) curves"
            testId="evaluate-details"
          >
            <EvaluateSection />
          </LazyDetails>
          <p className="hint keys">
            Keys: ← → layers · Home/End input/logits · 1-5 views · on the crop: arrows, + − 0
          </p>
        </section>
        <aside className="sidebar right" aria-label="Prediction, view and export">
          <Section title="Prediction">
            <TopClasses />
            <ClassPicker />
          </Section>
          <Section title="View">
            <MainMethod />
            <ChainToggles />
            <RuleControls />
            <DisplayControls />
            <CompareControls />
          </Section>
          <Section title="Share and export">
            <ShareExport />
          </Section>
        </aside>
      </main>
    </DropZone>
  );
}

function Panes() {
  const comparing = useAppState((s) => s.compare !== null);
  return (
    <div className="panes" data-comparing={comparing}>
      <MapPane slot="main" />
      {comparing && <MapPane slot="compare" />}
    </div>
  );
}

function MainMethod() {
  const { store } = useApp();
  const method = useAppState((s) => s.method);
  return (
    <MethodSelect testId="method-select" value={method} onChange={(m) => store.getState().setMethod(m)} />
  );
}

function Notice() {
  const notice = useAppState((s) => s.notice);
  return notice ? <div className="notice">{notice}</div> : null;
}

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="card panel" aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

function Details({ summary, children, open }: { summary: string; children: ReactNode; open?: boolean }) {
  return (
    <details open={open}>
      <summary>{summary}</summary>
      {children}
    </details>
  );
}

/** A <details> whose content mounts only while it is open (for panels that start work when mounted). */
function LazyDetails({
  summary,
  testId,
  children,
}: {
  summary: string;
  testId: string;
  children: ReactNode;
}) {
  const [open, setOpen] = useState(false);
  return (
    <details className="lazy panel" data-testid={testId} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{summary}</summary>
      {open && children}
    </details>
  );
}
