import assert from 'node:assert/strict';
import { test } from 'node:test';
import { questionKeys, sameQuestion } from './same-question.ts';

const differ = (a: string, b: string) =>
  assert.equal(sameQuestion(a, b), false, `"${a}" must not be served for "${b}"`);
const agree = (a: string, b: string) =>
  assert.equal(sameQuestion(a, b), true, `"${a}" should be served for "${b}"`);

test('questions that differ in a year or any other number are different questions', () => {
  differ('Who won the 2021 Harrowgate Classic?', 'Who won the 2019 Harrowgate Classic?');
  differ('Who won the 2021 Harrowgate Classic?', 'Who won the 2022 Harrowgate Classic?');
  differ('What was the revenue in Q1 2023?', 'What was the revenue in Q2 2023?');
  differ(
    'How big is the KV cache for a 4,096-token context?',
    'How big is the KV cache for an 8,192-token context?',
  );
  differ(
    'Which film won Best Score at the 40th Marlow Film Awards?',
    'Which film won Best Score at the 41st Marlow Film Awards?',
  );
  differ(
    'How do I reduce false alarms on 16-digit numbers?',
    'How do I reduce false alarms on 15-digit numbers?',
  );
  agree('How long does reranking 50 passages take?', 'How long does reranking fifty passages take?');
  agree('What does a budget of $500 allow?', 'What does a 500 dollar budget allow?');
  agree('How much does serving 1,000,000 queries cost?', 'How much does serving one million queries cost?');
});

test('version numbers and code identifiers must match exactly', () => {
  differ('What changed in Python 3.10?', 'What changed in Python 3.1?');
  differ('When was Quill-3 released?', 'When was Quill-4 released?');
  differ('How do I upgrade to v2.1.0?', 'How do I upgrade to v2.0.1?');
  differ('What does `chunk_size` control?', 'What does `chunk_overlap` control?');
  differ('What does maxEntriesPerTenant do?', 'What does ttlSeconds do?');
  agree('What does `chunk_size` control?', 'what does chunk_size control');
});

test('a different named entity is a different question, case and word order aside', () => {
  differ(
    "Who won the women's singles Kestrel Open in 2019?",
    "Who won the women's singles U.S. Clay Open in 2019?",
  );
  differ('Who acquired Pebblenote?', 'Who acquired Lumaroo?');
  differ('Who is the CEO of Brightwater in 2021?', 'Who is the CEO of Ostrander in 2021?');
  differ('Who directed Marrowind?', 'Who directed Skylark?');
  differ('What does HNSW efSearch change?', 'What does IVF nprobe change?');
  agree('Who won the Harrowgate Classic in 2021?', 'In 2021, who won the Harrowgate Classic?');
  agree('What is RRF?', 'Explain RRF.');
});

test("men's and women's, won and lost, and other opposites are different questions", () => {
  differ(
    "Who won the men's singles Kestrel Open in 2019?",
    "Who won the women's singles Kestrel Open in 2019?",
  );
  differ('Who won the 2018 Harrowgate Cup final?', 'Who lost the 2018 Harrowgate Cup final?');
  differ('Who was the winner of the 2018 Harrowgate Cup?', 'Who was the loser of the 2018 Harrowgate Cup?');
  differ('Should PII be redacted before embedding?', 'Should PII be redacted after embedding?');
  differ('What is the maximum chunk size?', 'What is the minimum chunk size?');
  differ('How do I enable reranking?', 'How do I disable reranking?');
  differ('What happens when I increase k?', 'What happens when I decrease k?');
  differ('Who was the first CEO of Tesla?', 'Who was the last CEO of Tesla?');
  differ('Which retriever is faster?', 'Which retriever is slower?');
  differ('Which store has the most vectors?', 'Which store has the fewest vectors?');
  differ('Is the dense index more accurate?', 'Is the dense index less accurate?');
  differ('Why is the answer valid?', 'Why is the answer invalid?');
  differ('Who founded Pebblenote?', 'When was Pebblenote founded?');
});

test('one content word swapped for another, all else equal, is a different question', () => {
  differ('When was the Tolva 6 announced?', 'When was the Tolva 6 discontinued?');
  differ('Who is the director of The Glass Orchard?', 'Who is the producer of The Glass Orchard?');
  differ('Who hired the new CEO?', 'Who fired the new CEO?');
  differ('How are traces sampled?', 'How are traces stored?');
  differ('Can you fine-tune on the dev split?', 'Can you fine-tune on the test split?');
  agree('Who won the 2021 Harrowgate Classic?', 'Quick question: who won the 2021 Harrowgate Classic?');
});

test('adding or removing a negation makes a different question', () => {
  differ('When will adding a reranker help?', 'When will adding a reranker not help?');
  differ('Which HTTP errors should be retried?', "Which HTTP errors shouldn't be retried?");
  differ('Which tools are safe to retry?', 'Which tools are never safe to retry?');
  differ('Can I cache answers with citations?', 'Can I cache answers without citations?');
  differ('Who won the match?', "Who won't play the match?");
  agree('Why is a reranker not helping?', "Why isn't a reranker helping?");
});

test('true paraphrases keep the same key tokens', () => {
  agree('What is the RRF constant k?', 'The RRF constant k: what is it?');
  agree('Who won the 2021 Harrowgate Classic?', 'Can you tell me who won the 2021 Harrowgate Classic?');
  agree(
    'How many characters is one token in English on average?',
    'On average, how many characters does one token have in English?',
  );
  agree(
    'Why do very large chunks hurt dense retrieval?',
    'Why is dense retrieval hurt by very large chunks?',
  );
  agree('Why report p95 latency instead of the mean?', 'Why track p95 latency rather than the average?');
});

test('the keys are normalised and order-insensitive', () => {
  const keys = questionKeys("In 2019, who won the women's singles at Kestrelford? Not the men's.");
  assert.deepEqual([...keys.numbers].sort(), ['2019']);
  assert.ok(keys.entities.has('kestrelford'));
  assert.equal(keys.negated, true);
  assert.ok(keys.opposites.size >= 1);
  assert.deepEqual(
    questionKeys('Who won in 2019 and 2021?').numbers,
    questionKeys('Who won in 2021 and 2019?').numbers,
  );
});
