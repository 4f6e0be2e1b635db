/**
 * Elyra pipelines: "Open With > Pipeline Editor" on a `.pipeline` file
 * imports it into a new `.orchest` beside it, opens that in the pipeline
 * editor and lists what did not map; the original is left as it was.
 */
import { IJupyterLabPageFixture, expect, test } from '@jupyterlab/galata';

import { createChain, createProject, openPipeline, pipelineEditor } from './helpers';

/** An Elyra 4 pipeline: a script feeding a notebook, with file outputs. */
function elyraPipeline(): string {
  const port = { cardinality: { min: 0, max: -1 } };
  const node = (
    id: string,
    op: string,
    filename: string,
    x: number,
    parents: string[],
    outputs: string[]
  ) => ({
    id,
    type: 'execution_node',
    op,
    app_data: {
      label: filename,
      component_parameters: {
        filename,
        runtime_image: 'continuumio/anaconda3:2024.10',
        env_vars: [{ env_var: 'ROWS', value: '10' }],
        include_subdirectories: false,
        outputs,
        dependencies: []
      },
      ui_data: { label: filename, x_pos: x, y_pos: 120 }
    },
    inputs: [
      {
        id: 'inPort',
        app_data: { ui_data: { ...port, label: 'Input Port' } },
        links: parents.map(parent => ({
          id: `${parent}-${id}`,
          node_id_ref: parent,
          port_id_ref: 'outPort'
        }))
      }
    ],
    outputs: [{ id: 'outPort', app_data: { ui_data: { ...port, label: 'Output Port' } } }]
  });
  return JSON.stringify(
    {
      doc_type: 'pipeline',
      version: '3.0',
      json_schema:
        'http://api.dataplatform.ibm.com/schemas/common-pipeline/pipeline-flow/pipeline-flow-v3-schema.json',
      id: '6f1c0b8e-2f7a-4c1e-9b3d-2a4e5f6a7b80',
      primary_pipeline: 'primary',
      pipelines: [
        {
          id: 'primary',
          nodes: [
            node('a1', 'execute-python-node', 'make.py', 60, [], ['data.csv']),
            node('b2', 'execute-notebook-node', 'use.ipynb', 360, ['a1'], [])
          ],
          app_data: {
            ui_data: { comments: [] },
            version: 8,
            properties: { name: 'from-elyra', runtime: 'Generic' }
          },
          runtime_ref: ''
        }
      ],
      schemas: []
    },
    null,
    2
  );
}

/** Right-click a file in the file browser and choose Open With > Pipeline Editor. */
async function openWithPipelineEditor(
  page: IJupyterLabPageFixture,
  folder: string,
  name: string
): Promise<void> {
  await page.filebrowser.openDirectory(folder);
  await page
    .getByRole('region', { name: 'File Browser Section' })
    .getByRole('listitem', { name: new RegExp(`^Name: ${name.replace('.', '\\.')}`) })
    .click({ button: 'right' });
  await page.locator('.lm-Menu-item').filter({ hasText: /^Open With$/ }).hover();
  const submenu = page.locator('.lm-Menu').nth(1);
  await submenu.locator('.lm-Menu-item').filter({ hasText: /^Pipeline Editor$/ }).click();
}

test('Open With > Pipeline Editor imports an Elyra pipeline and lists what did not map', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/elyra-import`;
  const original = elyraPipeline();
  await createProject(page, folder, {
    'make.py': "open('data.csv', 'w').write('1')\n",
    'use.ipynb': JSON.stringify({ cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }),
    'flow.pipeline': original
  });
  await openWithPipelineEditor(page, folder, 'flow.pipeline');

  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText(
    'Imported flow.pipeline as flow.orchest'
  );
  const items = dialog.locator('.orchest-lab-UnmappedList li');
  await expect(items).toHaveCount(2);
  await expect(items.nth(0)).toHaveText(
    'make.py: outputs: orchest-lab steps pass data with orchest.output(); files a step ' +
      'writes stay in the project folder ' +
      '(at /pipelines/0/nodes/0/app_data/component_parameters/outputs)'
  );
  await expect(items.nth(1)).toContainText(
    "runtime image 'continuumio/anaconda3:2024.10': no environment of the project"
  );

  // The new pipeline is open in the editor, with both steps and their link.
  const editor = pipelineEditor(page, `${folder}/flow.orchest`);
  await expect(editor).toBeVisible();
  await expect(editor.locator('.orchest-lab-StepNode-title')).toHaveText(['make.py', 'use.ipynb']);
  await expect(editor.locator('.react-flow__edge')).toHaveCount(1);
  await dialog.getByRole('button', { name: 'OK' }).click();
  await expect(dialog).toHaveCount(0);
  await expect(editor.locator('.orchest-lab-ValidationStatus')).toHaveText('Valid pipeline');

  // The placeholder of the .pipeline closed; the original is unchanged.
  await expect(page.getByRole('main').getByRole('tab', { name: /^flow\.pipeline/ })).toHaveCount(0);
  const text = await page.evaluate(async path => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(path, { content: true, format: 'text' });
    return model.content as string;
  }, `${folder}/flow.pipeline`);
  expect(text).toBe(original);
});

test('a .pipeline that cannot be imported says where, and writes nothing', async ({
  page,
  tmpPath
}) => {
  const folder = `${tmpPath}/elyra-bad`;
  await createProject(page, folder, { 'bad.pipeline': '{"version": "3.0",\n "pipelines": [}\n' });
  await openWithPipelineEditor(page, folder, 'bad.pipeline');

  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText('Cannot import bad.pipeline');
  await expect(dialog.locator('.jp-Dialog-body')).toContainText(
    `${folder}/bad.pipeline:2:16: not valid JSON`
  );
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(dialog).toHaveCount(0);
  expect(await page.contents.fileExists(`${folder}/bad.orchest`)).toBe(false);
});

test('"Export as Elyra Pipeline" writes a .pipeline beside the pipeline', async ({
  page,
  tmpPath
}) => {
  const { path } = await createChain(page, `${tmpPath}/elyra-export`, 'chain', [
    { title: 'First', file: 'first.py', content: 'print(1)\n' },
    { title: 'Then', file: 'then.sh', content: 'echo 2\n' }
  ]);
  await openPipeline(page, path);
  // Not awaited: the command ends when its dialog is closed.
  await page.evaluate(() => {
    void (window as any).jupyterapp.commands.execute('orchest-lab:export-elyra');
  });

  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-header')).toHaveText('Exported chain.orchest as chain.pipeline');
  await expect(dialog.locator('.orchest-lab-UnmappedList li')).toHaveText([
    /^Then: step: Elyra's generic nodes run notebooks, Python and R scripts, not '\.sh' files/,
    /^runtime image: Elyra needs one for every node; 1 step has no environment/
  ]);
  await dialog.getByRole('button', { name: 'OK' }).click();
  const exported = await page.evaluate(async target => {
    const app = (window as any).jupyterapp;
    const model = await app.serviceManager.contents.get(target, { content: true, format: 'text' });
    return JSON.parse(model.content as string);
  }, path.replace(/\.orchest$/, '.pipeline'));
  expect(exported.pipelines[0].nodes.map((node: any) => node.app_data.label)).toEqual(['First']);
  // Elyra refuses a node without a runtime image: the step without an environment takes the
  // pipeline's default one.
  expect(exported.pipelines[0].app_data.properties.pipeline_defaults.runtime_image).toMatch(
    /^python:\d+\.\d+$/
  );
});
