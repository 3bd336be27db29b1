/* math_prerender.js: TeX to MathJax CHTML in node, for _ext/math_prerender.py (the pages then need no
 * MathJax script: every formula arrives typeset).
 *
 *   node math_prerender.js MATHJAX_DIR < {"items": [{"tex": "...", "display": false}, ...]}
 *       -> {"html": ["<mjx-container ...>", ...]}
 *   node math_prerender.js MATHJAX_DIR --css FONT_URL
 *       -> the CHTML stylesheet for every character of the TeX fonts (adaptiveCSS off), fonts at FONT_URL
 *
 * MATHJAX_DIR is .vendor/node/mathjax (tools/vendor_mathjax.py): the same MathJax version as the one
 * served, with assistive MathML for screen readers as in the browser.
 */
'use strict';
const path = require('path');
const fs = require('fs');

const dir = path.resolve(process.argv[2]);
const cssMode = process.argv[3] === '--css';
global.MathJax = {
  loader: {paths: {mathjax: dir}, load: ['input/tex-full', 'output/chtml', 'adaptors/liteDOM', 'a11y/assistive-mml'],
           require: require},
  chtml: {fontURL: cssMode ? process.argv[4] : 'unused', adaptiveCSS: !cssMode},
  startup: {typeset: false},
};
require(path.join(dir, 'startup.js'));

MathJax.startup.promise.then(() => {
  const adaptor = MathJax.startup.adaptor;
  if (cssMode) {
    process.stdout.write(adaptor.textContent(MathJax.chtmlStylesheet()));
    return;
  }
  const items = JSON.parse(fs.readFileSync(0, 'utf8')).items;
  const html = items.map(item => {
    MathJax.texReset();
    return adaptor.outerHTML(MathJax.tex2chtml(item.tex, {display: Boolean(item.display)}));
  });
  process.stdout.write(JSON.stringify({html: html}));
}).catch(err => {
  process.stderr.write(String(err && err.stack || err) + '\n');
  process.exit(1);
});
