import fs from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import type { DecisionEvent } from '../ports.js';

/**
 * Record format of the decision log: one event per line, `<json>\t<crc32>\n`, where `<crc32>` is
 * the CRC-32 of the JSON's UTF-8 bytes as 8 lower-case hex digits. JSON.stringify never emits a
 * raw tab or newline, so a line is self-delimiting and stays greppable; a record whose checksum
 * does not match (torn, merged or rotten) is never taken for an event.
 */
export function encodeRecord(event: DecisionEvent): string {
  const json = JSON.stringify(event);
  return `${json}\t${crc32(json).toString(16).padStart(8, '0')}\n`;
}

/** A line of the log that is not a valid record, with its byte offset in the file. */
export interface BadRecord {
  readonly offset: number;
  readonly length: number;
  readonly reason: string;
  readonly head: string;
}

/** What a scan of one log file found. */
export interface ScanResult {
  /** Byte offset just past the last newline: everything before it is whole lines. */
  readonly wholeBytes: number;
  /** Bytes after the last newline (a record torn by a crash mid-write); 0 when none. */
  readonly tornBytes: number;
  readonly records: number;
  /** Lines written before checksums existed (plain JSON), accepted when they parse. */
  readonly legacy: number;
  readonly bad: readonly BadRecord[];
}

const CHUNK = 1 << 20;
const TAB = 0x09;
const NL = 0x0a;

/**
 * Streams a log file line by line (never the whole file as one string), calling `onEvent` for
 * every valid record in order. A missing file scans as empty.
 */
export async function scanRecords(file: string, onEvent: (e: DecisionEvent) => void): Promise<ScanResult> {
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { wholeBytes: 0, tornBytes: 0, records: 0, legacy: 0, bad: [] };
    throw err;
  }
  const bad: BadRecord[] = [];
  let records = 0;
  let legacy = 0;
  let carry = Buffer.alloc(0);
  let carryOffset = 0;
  try {
    const chunk = Buffer.allocUnsafe(CHUNK);
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, null);
      if (bytesRead === 0) break;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      let start = 0;
      for (let nl = buf.indexOf(NL, start); nl >= 0; nl = buf.indexOf(NL, start)) {
        const line = buf.subarray(start, nl);
        const offset = carryOffset + start;
        start = nl + 1;
        if (line.length === 0) continue;
        const r = decodeLine(line);
        if (r.ok) {
          records++;
          if (r.legacy) legacy++;
          onEvent(r.event);
        } else bad.push({ offset, length: line.length + 1, reason: r.reason, head: line.subarray(0, 120).toString('utf8') });
      }
      carryOffset += start;
      // Copy: `chunk` is reused by the next read.
      carry = Buffer.from(buf.subarray(start));
    }
  } finally {
    await handle.close();
  }
  return { wholeBytes: carryOffset, tornBytes: carry.length, records, legacy, bad };
}

function decodeLine(line: Buffer): { ok: true; event: DecisionEvent; legacy: boolean } | { ok: false; reason: string } {
  const tab = line.length - 9;
  if (tab > 0 && line[tab] === TAB) {
    const sum = Number.parseInt(line.subarray(tab + 1).toString('latin1'), 16);
    const json = line.subarray(0, tab);
    if (!Number.isInteger(sum) || crc32(json) !== sum) return { ok: false, reason: 'checksum mismatch' };
    return parseEvent(json, false);
  }
  // A record from before checksums: only a line that is one whole JSON event counts.
  return parseEvent(line, true);
}

function parseEvent(json: Buffer, legacy: boolean): { ok: true; event: DecisionEvent; legacy: boolean } | { ok: false; reason: string } {
  let v: unknown;
  try {
    v = JSON.parse(json.toString('utf8'));
  } catch {
    return { ok: false, reason: legacy ? 'no checksum and not one JSON value (merged or torn line)' : 'checksum matches but JSON does not parse' };
  }
  if (v === null || typeof v !== 'object' || typeof (v as { id?: unknown }).id !== 'string' || typeof (v as { type?: unknown }).type !== 'string')
    return { ok: false, reason: 'not a decision event' };
  return { ok: true, event: v as DecisionEvent, legacy };
}
