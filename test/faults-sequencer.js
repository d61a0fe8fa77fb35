const Sequencer = require('@jest/test-sequencer').default;

/** The scale-out spec adds a node and moves shards: it runs last, after the specs that expect two workers. */
class FaultsSequencer extends Sequencer {
  sort(tests) {
    const last = (test) => (test.path.includes('scale-out') ? 1 : 0);
    return [...tests].sort((a, b) => last(a) - last(b) || a.path.localeCompare(b.path));
  }
}

module.exports = FaultsSequencer;
