/**
 * The commands of the pipeline editor: running (all, selected, incoming,
 * downstream, cancel), editing (delete, copy, cut, paste, select all, undo,
 * redo, auto-layout, new step), view (fit, properties) and export. They act
 * on the pipeline editor the user is looking at; their enabled state follows
 * its selection and its latest run, so toolbar buttons reflect it.
 */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import {
  ICommandPalette,
  InputDialog,
  Notification
} from '@jupyterlab/apputils';
import {
  LabIcon,
  addIcon,
  copyIcon,
  cutIcon,
  pasteIcon,
  redoIcon,
  runIcon,
  stopIcon,
  undoIcon
} from '@jupyterlab/ui-components';

import { RunMode } from '../api';
import { firstUnusedName, joinPath } from '../model/paths';
import { isJobRun } from '../model/runState';
import { IPipelineEditorTracker } from '../editorTracker';
import { CommandIDs, PALETTE_CATEGORY } from '../ids';
import { IRunLauncher, IRunsModel } from '../tokens';
import { PipelineEditor } from '../widgets/PipelineEditor';
import { exportPipelineImage } from '../widgets/exportImage';
import { autoLayoutIcon, noteIcon, runSelectedIcon } from '../icons';

/** What the commands need. */
export interface IEditorCommandsOptions {
  app: JupyterFrontEnd;
  tracker: IPipelineEditorTracker;
  runs: IRunsModel;
  launcher: IRunLauncher;
  palette: ICommandPalette | null;
  /** Let the user pick a file (server path) starting in `folder`. */
  pickFile: (folder: string) => Promise<string | null>;
}

/** A minimal new notebook (nbformat 4) on the default Python kernel. */
export function emptyNotebook(): string {
  return (
    JSON.stringify(
      {
        cells: [
          {
            cell_type: 'code',
            execution_count: null,
            id: 'first-cell',
            metadata: {},
            outputs: [],
            source: []
          }
        ],
        metadata: {
          kernelspec: {
            display_name: 'Python 3 (ipykernel)',
            language: 'python',
            name: 'python3'
          },
          language_info: { name: 'python' }
        },
        nbformat: 4,
        nbformat_minor: 5
      },
      null,
      1
    ) + '\n'
  );
}

/** Register the editor commands (and add them to the palette). */
export function registerEditorCommands(options: IEditorCommandsOptions): void {
  const { app, tracker, runs, launcher, palette } = options;
  const { commands, shell, serviceManager } = app;

  /**
   * The editor a command acts on: the one whose toolbar runs it (`widgetId`
   * argument), else the pipeline editor the user is looking at.
   */
  const current = (
    args: ReadonlyPartialJSONObject = {}
  ): PipelineEditor | null => {
    if (typeof args.widgetId === 'string') {
      return tracker.find(w => w.id === args.widgetId)?.content ?? null;
    }
    const widget = tracker.currentWidget;
    return widget && widget === shell.currentWidget ? widget.content : null;
  };
  const activeRun = (editor: PipelineEditor | null) =>
    editor ? runs.active(editor.path)[0] : undefined;
  const hasSelection = (editor: PipelineEditor | null) =>
    editor !== null && editor.selection.steps.length > 0;
  const canRun = (editor: PipelineEditor | null) =>
    editor !== null &&
    editor.model.steps.length > 0 &&
    activeRun(editor) === undefined;
  const editable = (editor: PipelineEditor | null) =>
    editor !== null && editor.editable;

  const run = (editor: PipelineEditor, mode: RunMode) => {
    return launcher.run({
      pipelinePath: editor.path,
      mode,
      steps:
        mode === 'full' || mode === 'outdated'
          ? undefined
          : [...editor.selection.steps]
    });
  };

  const add = (
    id: string,
    spec: {
      label: string | ((args: ReadonlyPartialJSONObject) => string);
      caption: string;
      icon?: LabIcon;
      isEnabled: (editor: PipelineEditor | null) => boolean;
      isToggled?: (editor: PipelineEditor | null) => boolean;
      execute: (
        editor: PipelineEditor,
        args: ReadonlyPartialJSONObject
      ) => unknown;
    }
  ) => {
    commands.addCommand(id, {
      label: spec.label,
      caption: spec.caption,
      icon: args => (args.isPalette ? undefined : spec.icon),
      isEnabled: args => spec.isEnabled(current(args)),
      isToggled: spec.isToggled
        ? args => spec.isToggled!(current(args))
        : undefined,
      execute: args => {
        const editor = current(args);
        return editor && spec.isEnabled(editor)
          ? spec.execute(editor, args)
          : null;
      }
    });
    palette?.addItem({
      command: id,
      category: PALETTE_CATEGORY,
      args: { isPalette: true }
    });
  };

  // --- running -----------------------------------------------------------
  add(CommandIDs.runAll, {
    label: 'Run All Steps',
    caption: 'Run every step of the pipeline',
    icon: runIcon,
    isEnabled: canRun,
    execute: editor => run(editor, 'full')
  });
  /** Labels of the step context menu (right-click on a node selects it). */
  const stepMenuLabel =
    (one: string, many: string) => (args: ReadonlyPartialJSONObject) =>
      args.isContextMenu && (current(args)?.selection.steps.length ?? 0) <= 1
        ? one
        : many;
  const singleStep = (editor: PipelineEditor | null): string | null =>
    editor && editor.selection.steps.length === 1
      ? editor.selection.steps[0]
      : null;

  add(CommandIDs.runSelected, {
    label: stepMenuLabel('Run This Step', 'Run Selected Steps'),
    caption: 'Run only the selected steps',
    icon: runSelectedIcon,
    isEnabled: editor => canRun(editor) && hasSelection(editor),
    execute: editor => run(editor, 'selection')
  });
  add(CommandIDs.runIncoming, {
    label: stepMenuLabel('Run Up to Here', 'Run Incoming Steps'),
    caption: 'Run the selected steps and every step they depend on',
    isEnabled: editor => canRun(editor) && hasSelection(editor),
    execute: editor => run(editor, 'incoming')
  });
  add(CommandIDs.runDownstream, {
    label: 'Run Downstream Steps',
    caption: 'Run the selected steps and every step that depends on them',
    isEnabled: editor => canRun(editor) && hasSelection(editor),
    execute: editor => run(editor, 'downstream')
  });
  add(CommandIDs.runOutdated, {
    label: 'Run Outdated Steps',
    caption:
      'Run the steps whose outputs are not up to date (their file, parameters, environment or parents changed since they last succeeded)',
    isEnabled: editor => canRun(editor) && editor!.freshness.steps.size > 0,
    execute: editor => run(editor, 'outdated')
  });
  add(CommandIDs.openStepFile, {
    label: args => (args.isPalette ? 'Open Step File' : 'Open File'),
    caption: "Open the selected step's notebook or script",
    isEnabled: editor => {
      const uuid = singleStep(editor);
      return uuid !== null && !!editor!.model.getStep(uuid)?.filePath;
    },
    execute: editor => editor.editing.openStep(singleStep(editor)!)
  });
  add(CommandIDs.showStepLog, {
    label: args => (args.isPalette ? 'Show Step Log' : 'Show Log'),
    caption: "Show the selected step's log in the run shown on the canvas",
    isEnabled: editor => {
      const uuid = singleStep(editor);
      return uuid !== null && !!editor!.currentRun?.steps[uuid];
    },
    execute: editor => {
      const uuid = singleStep(editor)!;
      const run = editor.currentRun!;
      return commands.execute(CommandIDs.showLog, {
        runId: run.id,
        stepUuid: uuid,
        title: run.steps[uuid]?.title ?? uuid
      });
    }
  });
  add(CommandIDs.cancelRun, {
    label: 'Cancel Run',
    caption: "Cancel the pipeline's run: stop every kernel and process of it",
    icon: stopIcon,
    isEnabled: editor => activeRun(editor) !== undefined,
    execute: editor => {
      const active = activeRun(editor);
      return active ? launcher.cancel(active.id) : null;
    }
  });

  // --- editing -----------------------------------------------------------
  add(CommandIDs.deleteSelection, {
    label: 'Delete Selected Steps and Connections',
    caption:
      'Delete the selected steps (with their connections) and connections',
    isEnabled: editor => editable(editor) && !editor!.selection.isEmpty,
    execute: editor => editor.editing.deleteSelection()
  });
  add(CommandIDs.copySteps, {
    label: 'Copy Steps',
    caption: 'Copy the selected steps',
    icon: copyIcon,
    isEnabled: hasSelection,
    execute: editor => editor.editing.copy()
  });
  add(CommandIDs.cutSteps, {
    label: 'Cut Steps',
    caption: 'Cut the selected steps',
    icon: cutIcon,
    isEnabled: editor => editable(editor) && hasSelection(editor),
    execute: editor => editor.editing.cut()
  });
  add(CommandIDs.pasteSteps, {
    label: 'Paste Steps',
    caption: 'Paste copied steps as new steps',
    icon: pasteIcon,
    isEnabled: editor => editable(editor) && editor!.editing.canPaste(),
    execute: editor => editor.editing.paste()
  });
  add(CommandIDs.selectAll, {
    label: 'Select All Steps',
    caption: 'Select every step and connection',
    isEnabled: editor => editor !== null,
    execute: editor => editor.editing.selectAll()
  });
  add(CommandIDs.undo, {
    label: 'Undo Pipeline Change',
    caption: 'Undo the last change of the pipeline',
    icon: undoIcon,
    isEnabled: editor => editor !== null,
    execute: editor => editor.editing.undo()
  });
  add(CommandIDs.redo, {
    label: 'Redo Pipeline Change',
    caption: 'Redo the last undone change of the pipeline',
    icon: redoIcon,
    isEnabled: editor => editor !== null,
    execute: editor => editor.editing.redo()
  });
  add(CommandIDs.autoLayout, {
    label: 'Arrange Steps Automatically',
    caption: 'Lay every step out again, left to right',
    icon: autoLayoutIcon,
    isEnabled: editor => editable(editor) && editor!.model.steps.length > 0,
    execute: editor => editor.editing.autoLayout()
  });
  add(CommandIDs.newStep, {
    label: 'New Step with a New Notebook…',
    caption: 'Create a notebook next to the pipeline and add it as a step',
    icon: addIcon,
    isEnabled: editable,
    execute: async editor => {
      const name = await InputDialog.getText({
        title: 'New step',
        label: 'Notebook name (created next to the pipeline)',
        text: firstUnusedName(
          (await folderNames(editor.folder)) ?? new Set(),
          'step',
          '.ipynb'
        ),
        okLabel: 'Create'
      });
      if (!name.button.accept || !name.value?.trim()) {
        return;
      }
      let file = name.value.trim();
      if (!file.endsWith('.ipynb')) {
        file += '.ipynb';
      }
      const path = joinPath(editor.folder, file);
      // One listing of the folder, not a GET that fails with 404 when the
      // file is new (the browser logs each failed request).
      const names = await folderNames(editor.folder);
      if (names === null) {
        Notification.error(`Could not list ${editor.folder || 'the root'}`, {
          autoClose: 8000
        });
        return;
      }
      if (!names.has(file)) {
        try {
          await serviceManager.contents.save(path, {
            type: 'file',
            format: 'text',
            content: emptyNotebook()
          });
        } catch (reason) {
          Notification.error(
            `Could not create ${path}: ${reason instanceof Error ? reason.message : String(reason)}`,
            { autoClose: 8000 }
          );
          return;
        }
      }
      editor.editing.addFiles([path]);
    }
  });
  add(CommandIDs.addFileStep, {
    label: 'Add Step from a File…',
    caption: 'Choose a notebook or script and add it as a step',
    isEnabled: editable,
    execute: async editor => {
      const path = await options.pickFile(editor.folder);
      if (path) {
        editor.editing.addFiles([path]);
      }
    }
  });

  add(CommandIDs.addNote, {
    label: 'Add Note',
    caption: 'Add a note (a comment on the canvas, kept in the pipeline file)',
    icon: noteIcon,
    isEnabled: editable,
    execute: (editor, args) => {
      // From the canvas's context menu: where the menu was opened.
      const at = args.atPointer ? editor.editing.contextPosition : null;
      editor.editing.addNote(at ?? undefined);
    }
  });

  // --- view and export ------------------------------------------------------
  add(CommandIDs.toggleProperties, {
    label: 'Show Properties Panel',
    caption: 'Show or hide the properties panel beside the canvas',
    isEnabled: editor => editor !== null,
    isToggled: editor => editor?.propertiesShown ?? false,
    execute: editor => editor.toggleProperties()
  });
  add(CommandIDs.exportSVG, {
    label: 'Export Pipeline as SVG',
    caption: 'Write the graph as an SVG image next to the pipeline file',
    isEnabled: editor => editor !== null && editor.model.steps.length > 0,
    execute: editor =>
      exportPipelineImage(editor, 'svg', serviceManager.contents)
  });
  add(CommandIDs.exportPNG, {
    label: 'Export Pipeline as PNG',
    caption: 'Write the graph as a PNG image next to the pipeline file',
    isEnabled: editor => editor !== null && editor.model.steps.length > 0,
    execute: editor =>
      exportPipelineImage(editor, 'png', serviceManager.contents)
  });

  const ids = [
    CommandIDs.runAll,
    CommandIDs.runSelected,
    CommandIDs.runIncoming,
    CommandIDs.runDownstream,
    CommandIDs.runOutdated,
    CommandIDs.openStepFile,
    CommandIDs.showStepLog,
    CommandIDs.cancelRun,
    CommandIDs.deleteSelection,
    CommandIDs.copySteps,
    CommandIDs.cutSteps,
    CommandIDs.pasteSteps,
    CommandIDs.selectAll,
    CommandIDs.undo,
    CommandIDs.redo,
    CommandIDs.autoLayout,
    CommandIDs.newStep,
    CommandIDs.addFileStep,
    CommandIDs.addNote,
    CommandIDs.toggleProperties,
    CommandIDs.exportSVG,
    CommandIDs.exportPNG,
    CommandIDs.fitView,
    CommandIDs.validate
  ];
  const refresh = () => {
    for (const id of ids) {
      if (commands.hasCommand(id)) {
        commands.notifyCommandChanged(id);
      }
    }
  };
  tracker.currentChanged.connect(refresh);
  shell.currentChanged?.connect(refresh);
  tracker.widgetAdded.connect((_, widget) => {
    widget.content.stateChanged.connect(refresh);
  });
  runs.changed.connect((_, run) => {
    if (
      !isJobRun(run) &&
      tracker.find(widget => widget.content.path === run.pipelinePath)
    ) {
      refresh();
    }
  });

  /** The names in a folder (null when it cannot be listed). */
  async function folderNames(folder: string): Promise<Set<string> | null> {
    try {
      const listing = await serviceManager.contents.get(folder, {
        type: 'directory',
        content: true
      });
      const items = Array.isArray(listing.content)
        ? (listing.content as { name: string }[])
        : [];
      return new Set(items.map(item => item.name));
    } catch {
      return null;
    }
  }
}
