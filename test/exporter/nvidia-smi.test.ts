import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAbsentCell, parseCell, parseQueryGpu, QUERY_FIELDS } from '../../exporters/gpu/sources/nvidia-smi/parse-query-gpu.js';
import { NvidiaSmiSource, type Runner } from '../../exporters/gpu/sources/nvidia-smi/nvidia-smi-source.js';
import { parseMigList, parseQueryXml } from '../../exporters/gpu/sources/nvidia-smi/parse-mig-xml.js';
import { makeExporter, seriesValue } from './helpers.js';

const DATA = path.join(import.meta.dirname, 'fixtures/nvidia-smi');
const sample = (name: string) => fs.readFileSync(path.join(DATA, name), 'utf8');

describe('nvidia-smi --query-gpu parsing', () => {
  it('reads the H100 load sample with units in every cell', () => {
    const parsed = parseQueryGpu(sample('nvidia-smi_query-gpu__linux-x86_64__nvidia-h100-80gb-hbm3__590.48.01__load.csv'));
    expect(parsed.badRows).toBe(0);
    expect(parsed.driverVersion).toBe('590.48.01');
    const d = parsed.devices[0]!;
    expect(d).toMatchObject({
      index: 0,
      uuid: 'GPU-00000000-0000-0000-0000-000000000000',
      pciBusId: '00000000:00:09.0',
      name: 'NVIDIA H100 80GB HBM3',
      vbiosVersion: '96.00.A5.00.01',
      computeCap: '9.0',
      migEnabled: false,
    });
    expect(d.fields).toMatchObject({
      gpuUtil: 100,
      memCopyUtil: 11,
      fbTotal: 81559,
      fbReserved: 479,
      fbUsed: 19818,
      fbFree: 61263,
      gpuTemp: 59,
      memoryTemp: 54,
      powerUsage: 631.95,
      powerLimit: 700,
      smClock: 1980,
      memClock: 2619,
      pstate: 0,
      pcieLinkGen: 5,
      pcieLinkWidth: 16,
      eccSbeVolatile: 0,
      rowRemapFailure: 0,
      rowRemapPending: 0,
      clocksEventReasons: 0,
      powerViolation: 0,
      thermalViolation: 0,
    });
    // `fan.speed [%]` is [N/A] on this passively cooled board: absent, not 0.
    expect(d.fields.fanSpeed).toBeUndefined();
  });

  it('reads every real sample without a bad row and skips each [N/A]-style cell', () => {
    const files = fs.readdirSync(DATA).filter((f) => f.startsWith('nvidia-smi_query-gpu'));
    expect(files.length).toBe(6);
    for (const f of files) {
      const text = sample(f);
      const parsed = parseQueryGpu(text);
      expect(parsed.badRows, f).toBe(0);
      expect(parsed.devices, f).toHaveLength(1);
      const d = parsed.devices[0]!;
      expect(d.fields.fbTotal, f).toBeGreaterThan(10_000);
      expect(d.fields.gpuTemp, f).toBeGreaterThan(20);
      for (const v of Object.values(d.fields)) expect(Number.isFinite(v), f).toBe(true);
    }
  });

  it('reads the RTX 4080 SUPER fan and the L40S load', () => {
    const rtx = parseQueryGpu(sample('nvidia-smi_query-gpu__linux-x86_64__nvidia-geforce-rtx-4080-super__595.71.05__load.csv')).devices[0]!;
    expect(rtx.fields.fanSpeed).toBeTypeOf('number');
    expect(rtx.fields.eccSbeVolatile).toBeUndefined();
    const l40s = parseQueryGpu(sample('nvidia-smi_query-gpu__linux-x86_64__nvidia-l40s__595.80__load.csv')).devices[0]!;
    expect(l40s.name).toBe('NVIDIA L40S');
    expect(l40s.fields.powerUsage).toBeGreaterThan(50);
  });

  it('reads noheader,nounits output for an explicit field list', () => {
    const fields = ['index', 'uuid', 'name', 'memory.used', 'power.draw', 'pstate', 'utilization.gpu', 'clocks_event_reasons.active', 'remapped_rows.pending'];
    const parsed = parseQueryGpu(
      '0, GPU-abc, NVIDIA L40S, 1234, 75.50, P8, [N/A], 0x0000000000000001, Yes\n1, GPU-def, NVIDIA L40S, [Unknown Error], [Not Supported], P0, 3, 0x4, No\n',
      fields,
    );
    expect(parsed.devices.map((d) => d.fields)).toEqual([
      { fbUsed: 1234, powerUsage: 75.5, pstate: 8, clocksEventReasons: 1, rowRemapPending: 1 },
      { pstate: 0, gpuUtil: 3, clocksEventReasons: 4, rowRemapPending: 0 },
    ]);
  });

  it('refuses a row whose column count does not match instead of shifting values', () => {
    const parsed = parseQueryGpu('0, GPU-a, Name, with comma, 12\n', ['index', 'uuid', 'name', 'memory.used']);
    expect(parsed).toEqual({ devices: [], badRows: 1 });
  });

  it('treats every nvidia-smi non-value as absent', () => {
    for (const c of [
      '',
      ' ',
      'N/A',
      '[N/A]',
      '[Not Supported]',
      '[Insufficient Permissions]',
      '[Unknown Error]',
      '[Requested functionality has been deprecated]',
      '[Function Not Found]',
    ]) {
      expect(isAbsentCell(c), c).toBe(true);
      expect(parseCell(c, 'num'), c).toBeUndefined();
    }
    expect(parseCell('590.48.01', 'num')).toBeUndefined();
    expect(parseCell('11125 MiB', 'num')).toBe(11125);
    expect(parseCell('12 us', 'us-to-ns')).toBe(12000);
  });

  it('never throws and only returns finite values on arbitrary input (fuzz)', () => {
    const cell = fc.oneof(fc.string(), fc.constantFrom('[N/A]', 'P0', '0x1F', '12.5 W', 'Enabled', '1e400', '-3', 'NaN', 'Infinity'));
    fc.assert(
      fc.property(fc.array(fc.array(cell, { maxLength: 12 }), { maxLength: 6 }), fc.boolean(), (rows, withFields) => {
        const text = rows.map((r) => r.join(', ')).join('\n');
        const parsed = parseQueryGpu(text, withFields ? QUERY_FIELDS.slice(0, 12) : undefined);
        for (const d of parsed.devices) for (const v of Object.values(d.fields)) expect(Number.isFinite(v)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});

describe('the nvidia-smi source', () => {
  it('drops a field an older driver rejects and reports a GPU that disappears as lost', async () => {
    const calls: string[] = [];
    let rows = 2;
    const runner: Runner = (_bin, args) => {
      calls.push(args[0]!);
      if (!args[0]?.startsWith('--query-gpu=')) return Promise.resolve({ code: 0, stdout: '', stderr: '' });
      if (args[0].includes('memory.reserved'))
        return Promise.resolve({ code: 2, stdout: 'Field "memory.reserved" is not a valid field to query.\n', stderr: '' });
      const fields = args[0].slice('--query-gpu='.length).split(',');
      const row = (i: number) =>
        fields.map((f) => (f === 'index' ? String(i) : f === 'uuid' ? `GPU-${i}` : f === 'temperature.gpu' ? '41' : '[N/A]')).join(', ');
      return Promise.resolve({ code: 0, stdout: Array.from({ length: rows }, (_, i) => row(i)).join('\n'), stderr: '' });
    };
    const source = new NvidiaSmiSource({}, runner);
    const first = await source.collect(new AbortController().signal);
    expect(first.devices.map((d) => d.fields.gpuTemp)).toEqual([41, 41]);
    expect(calls.filter((c) => c?.startsWith('--query-gpu='))).toHaveLength(2);
    rows = 1;
    const second = await source.collect(new AbortController().signal);
    expect(second.lost).toEqual([{ index: 1, uuid: 'GPU-1', pciBusId: '', name: '', reason: 'NOT_VISIBLE' }]);
  });

  it('fails the collection as driver when nvidia-smi exits non-zero with no rows', async () => {
    const source = new NvidiaSmiSource({}, () =>
      Promise.resolve({ code: 9, stdout: 'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.\n', stderr: '' }),
    );
    await expect(source.collect(new AbortController().signal)).rejects.toMatchObject({ reason: 'driver' });
  });
});

describe('the nvidia-smi source on a MIG node (constructed -q -x / -L fixtures, not captured)', () => {
  const XML_DIR = path.join(import.meta.dirname, 'fixtures/nvidia-smi-xml');
  const xml = fs.readFileSync(path.join(XML_DIR, 'nvidia-smi_q-x__h100-80gb-hbm3-mig-mixed__590.48.01__constructed.xml'), 'utf8');
  const list = fs.readFileSync(path.join(XML_DIR, 'nvidia-smi_L__h100-80gb-hbm3-mig-mixed__590.48.01__constructed.txt'), 'utf8');
  const uuid = (i: number) => `GPU-00000000-0000-0000-0000-00000000000${i}`;
  /** Answers --query-gpu with GPU 0 in MIG mode (utilization [N/A]), -q -x and -L from the fixtures. */
  const runner =
    (over: { xml?: () => Promise<{ code: number; stdout: string; stderr: string }> } = {}, calls: string[] = []): Runner =>
    (_bin, args) => {
      calls.push(args.join(' '));
      if (args[0] === '-q') return over.xml ? over.xml() : Promise.resolve({ code: 0, stdout: xml, stderr: '' });
      if (args[0] === '-L') return Promise.resolve({ code: 0, stdout: list, stderr: '' });
      const fields = args[0]!.slice('--query-gpu='.length).split(',');
      const cell = (i: number, f: string) =>
        ({
          index: String(i),
          uuid: uuid(i),
          'mig.mode.current': i === 0 ? 'Enabled' : 'Disabled',
          'utilization.gpu': i === 0 ? '[N/A]' : '37',
          'memory.used': '24697',
        })[f] ?? '[N/A]';
      return Promise.resolve({ code: 0, stdout: [0, 1].map((i) => fields.map((f) => cell(i, f)).join(', ')).join('\n'), stderr: '' });
    };

  it('parses the XML: versions, MIG mode, one row per GPU instance with its memory in MiB', () => {
    const parsed = parseQueryXml(xml);
    expect(parsed).toMatchObject({ driverVersion: '590.48.01', cudaVersion: '13.1' });
    expect(parsed.gpus.map((g) => [g.uuid, g.pciBusId, g.migEnabled])).toEqual([
      [uuid(0), '00000000:18:00.0', true],
      [uuid(1), '00000000:2A:00.0', false],
    ]);
    // GPU instance 2 holds two compute instances (MIG devices 0 and 1): it appears once.
    expect(parsed.gpus[0]!.instances).toEqual([
      { deviceIndex: 0, gpuInstanceId: 2, fbTotal: 40320, fbUsed: 12288, fbFree: 28032, fbReserved: 0 },
      { deviceIndex: 2, gpuInstanceId: 3, fbTotal: 20096, fbUsed: 8211, fbFree: 11885, fbReserved: 0 },
      { deviceIndex: 3, gpuInstanceId: 9, fbTotal: 9856, fbUsed: 4123, fbFree: 5733, fbReserved: 0 },
      { deviceIndex: 4, gpuInstanceId: 10, fbTotal: 9856, fbUsed: 13, fbFree: 9843, fbReserved: 0 },
    ]);
    expect(parsed.gpus[1]!.instances).toEqual([]);
  });

  it('reads -L profiles, taking the GPU-instance profile out of a compute-instance name', () => {
    const names = parseMigList(list);
    expect([...names.get(uuid(0))!.entries()].map(([k, v]) => [k, v.profile])).toEqual([
      [0, '3g.40gb'],
      [1, '3g.40gb'],
      [2, '2g.20gb'],
      [3, '1g.10gb'],
      [4, '1g.10gb'],
    ]);
    expect(names.get(uuid(0))!.get(2)!.uuid).toBe('MIG-00000000-0000-0000-0000-000000000002');
    expect(names.get(uuid(1))!.size).toBe(0);
  });

  it('exports per-instance framebuffer with GPU_I_ID/GPU_I_PROFILE, no utilization for the MIG GPU, and cuda_version', async () => {
    const exporter = makeExporter(new NvidiaSmiSource({}, runner()));
    await exporter.sampleOnce();
    const text = exporter.exposition.body.toString();
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_USED', { gpu: '0', GPU_I_ID: '2', GPU_I_PROFILE: '3g.40gb' })).toBe(12288);
    expect(seriesValue(text, 'DCGM_FI_DEV_FB_FREE', { gpu: '0', GPU_I_ID: '10', GPU_I_PROFILE: '1g.10gb' })).toBe(9843);
    expect(text.match(/^DCGM_FI_DEV_FB_USED\{[^}]*GPU_I_ID=/gm)).toHaveLength(4);
    // The whole GPU's row has no GPU_I_ID, so {GPU_I_ID=""} selects it alone.
    expect(text.match(/^DCGM_FI_DEV_FB_USED\{(?![^}]*GPU_I_ID)[^}]*gpu="0"/gm)).toHaveLength(1);
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '0' })).toBeUndefined();
    expect(seriesValue(text, 'DCGM_FI_DEV_GPU_UTIL', { gpu: '1' })).toBe(37);
    expect(text).toMatch(/^vigil_gpu_info\{[^}]*gpu="0"[^}]*cuda_version="13\.1"[^}]*mig_mode="enabled"/m);
    expect(seriesValue(text, 'vigil_gpu_mig_info', { gpu: '0', GPU_I_ID: '9', mig_uuid: 'MIG-00000000-0000-0000-0000-000000000003' })).toBe(1);
  });

  it('keeps collecting the GPUs when the XML query fails, and asks for the CUDA version at most three times', async () => {
    const calls: string[] = [];
    const source = new NvidiaSmiSource({}, runner({ xml: () => Promise.resolve({ code: 6, stdout: '', stderr: 'failed' }) }, calls));
    for (let k = 0; k < 5; k++) {
      const snap = await source.collect(new AbortController().signal);
      expect(snap.devices.map((d) => d.index)).toEqual([0, 1]);
      expect(snap.devices[0]!.mig).toBeUndefined();
      expect(snap.cudaVersion).toBeUndefined();
    }
    // -q -x runs every cycle on a MIG node; the banner (no arguments) only for the first three.
    expect(calls.filter((c) => c === '-q -x')).toHaveLength(5);
    expect(calls.filter((c) => c === '')).toHaveLength(3);
  });

  it('takes the CUDA version from the banner when the XML lacks it, and never queries XML again on a non-MIG node', async () => {
    const calls: string[] = [];
    const noMig: Runner = (_bin, args) => {
      calls.push(args.join(' '));
      if (args.length === 0)
        return Promise.resolve({ code: 0, stdout: '| NVIDIA-SMI 590.48.01   Driver Version: 590.48.01   CUDA Version: 13.1     |\n', stderr: '' });
      if (args[0] === '-q')
        return Promise.resolve({ code: 0, stdout: '<nvidia_smi_log><driver_version>590.48.01</driver_version></nvidia_smi_log>', stderr: '' });
      const fields = args[0]!.slice('--query-gpu='.length).split(',');
      return Promise.resolve({ code: 0, stdout: fields.map((f) => (f === 'index' ? '0' : f === 'uuid' ? uuid(0) : '[N/A]')).join(', '), stderr: '' });
    };
    const source = new NvidiaSmiSource({}, noMig);
    expect((await source.collect(new AbortController().signal)).cudaVersion).toBe('13.1');
    expect((await source.collect(new AbortController().signal)).cudaVersion).toBe('13.1');
    expect(calls.filter((c) => !c.startsWith('--query-gpu='))).toEqual(['-q -x', '']);
  });

  it('never throws on arbitrary XML-ish input (fuzz)', () => {
    const piece = fc.constantFrom(
      '<gpu>',
      '</gpu>',
      '<mig_device>',
      '</mig_device>',
      '<gpu_instance_id>',
      '</gpu_instance_id>',
      '<nvidia_smi_log>',
      '&amp;',
      '<!--',
      '-->',
      '<',
      '>',
      'N/A',
      '12 MiB',
      '<a b="c">',
      '<![CDATA[',
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(piece, fc.string()), { maxLength: 40 }), (parts) => {
        const parsed = parseQueryXml(parts.join(''));
        for (const g of parsed.gpus) for (const i of g.instances) expect(Number.isInteger(i.gpuInstanceId)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });
});
