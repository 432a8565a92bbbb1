import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { UploadStore } from '../../spec/index.ts';
import { sha256Of } from '../folder-uploads.ts';
import { type DomainSuiteOptions, suiteHarness } from './domain-suite.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));

/** The behaviour every {@link UploadStore} shares. */
export function runUploadsConformance(options: DomainSuiteOptions<UploadStore>): void {
  describe(`${options.name} uploads conformance`, () => {
    const { fresh, testOptions } = suiteHarness(options);

    test('a stored file reads back byte for byte and lists with its hash and size', testOptions, async () => {
      const uploads = await fresh();
      const binary = new Uint8Array([0, 255, 10, 13, 0x80, 0x7f]);
      const info = await uploads.put('acme', 'raw.pdf', binary);
      assert.deepEqual(info, { name: 'raw.pdf', sha256: sha256Of(binary), size: 6 });
      await uploads.put('acme', 'a.md', bytes('# Ünïcode'));
      assert.deepEqual(await uploads.read('acme', 'raw.pdf'), binary);
      assert.deepEqual(
        (await uploads.list('acme')).map((file) => [file.name, file.size]),
        [
          ['a.md', bytes('# Ünïcode').byteLength],
          ['raw.pdf', 6],
        ],
      );
      assert.equal(await uploads.read('acme', 'missing.md'), undefined);
    });

    test('storing a name again replaces the bytes', testOptions, async () => {
      const uploads = await fresh();
      await uploads.put('acme', 'a.md', bytes('first'));
      await uploads.put('acme', 'a.md', bytes('second, longer'));
      assert.deepEqual(await uploads.read('acme', 'a.md'), bytes('second, longer'));
      const [listed] = await uploads.list('acme');
      assert.equal(listed?.sha256, sha256Of(bytes('second, longer')));
    });

    test("tenants never see each other's files", testOptions, async () => {
      const uploads = await fresh();
      await uploads.put('acme', 'same.md', bytes('acme text'));
      await uploads.put('globex', 'same.md', bytes('globex text'));
      assert.deepEqual(await uploads.read('globex', 'same.md'), bytes('globex text'));
      assert.equal(await uploads.remove('globex', 'same.md'), true);
      assert.deepEqual(await uploads.read('acme', 'same.md'), bytes('acme text'));
      assert.deepEqual(await uploads.list('globex'), []);
    });

    test(
      'remove deletes; a file set aside is neither listed nor read until uploaded again',
      testOptions,
      async () => {
        const uploads = await fresh();
        await uploads.put('acme', 'bomb.txt', bytes('boom'));
        await uploads.put('acme', 'gone.txt', bytes('bye'));
        assert.equal(await uploads.remove('acme', 'gone.txt'), true);
        assert.equal(await uploads.remove('acme', 'gone.txt'), false);
        assert.equal(await uploads.setAside('acme', 'bomb.txt'), true);
        assert.equal(await uploads.setAside('acme', 'bomb.txt'), false);
        assert.deepEqual(await uploads.list('acme'), []);
        assert.equal(await uploads.read('acme', 'bomb.txt'), undefined);
        await uploads.put('acme', 'bomb.txt', bytes('fixed'));
        assert.deepEqual(
          (await uploads.list('acme')).map((file) => file.name),
          ['bomb.txt'],
        );
      },
    );
  });
}
