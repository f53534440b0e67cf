import { useState, type DragEvent, type ReactNode } from 'react';
import { useApp } from '../context';

/** The whole page takes dropped files: images, an .onnx model, a labels file. */
export function DropZone({ children }: { children: ReactNode }) {
  const { actions } = useApp();
  const [dragging, setDragging] = useState(false);
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  return (
    <div
      className="drop-zone"
      data-testid="drop-zone"
      data-dragging={dragging}
      onDragEnter={(e) => hasFiles(e) && setDragging(true)}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        e.dataTransfer.dropEffect = 'copy';
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target || !e.currentTarget.contains(e.relatedTarget as Node))
          setDragging(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setDragging(false);
        const files = Array.from(e.dataTransfer?.files ?? []);
        if (files.length > 0) void actions.openFiles(files);
      }}
    >
      {children}
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop images, an .onnx model or a labels file
        </div>
      )}
    </div>
  );
}
