import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAbsentCell, parseCell, parseQueryGpu, QUERY_FIELDS } from '../../exporters/gpu/sources/nvidia-smi/parse-query-gpu.js';
import { NvidiaSmiSource, type Runner } from '../../exporters/gpu/sources/nvidia-smi/nvidia-smi-source.js';

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
      if (args[0]!.includes('memory.reserved'))
        return Promise.resolve({ code: 2, stdout: 'Field "memory.reserved" is not a valid field to query.\n', stderr: '' });
      const fields = args[0]!.slice('--query-gpu='.length).split(',');
      const row = (i: number) =>
        fields.map((f) => (f === 'index' ? String(i) : f === 'uuid' ? `GPU-${i}` : f === 'temperature.gpu' ? '41' : '[N/A]')).join(', ');
      return Promise.resolve({ code: 0, stdout: Array.from({ length: rows }, (_, i) => row(i)).join('\n'), stderr: '' });
    };
    const source = new NvidiaSmiSource({}, runner);
    const first = await source.collect(new AbortController().signal);
    expect(first.devices.map((d) => d.fields.gpuTemp)).toEqual([41, 41]);
    expect(calls).toHaveLength(2);
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
