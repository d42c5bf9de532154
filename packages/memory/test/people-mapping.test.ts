import { describe, expect, it } from 'vitest';
import { checkPeople, linkPeople, mappingKeys } from '../src/index.js';

describe('explicit people mappings', () => {
  it('key a person by email when given, else by the first identity; the rest are aliases', () => {
    expect(mappingKeys({ github: 'octocat', linear: 'u-1', email: 'Ana@Example.com' })).toEqual(['email:ana@example.com', 'github:octocat', 'linear:user:u-1']);
    expect(mappingKeys({ sentry: '77', github: 'bo' })).toEqual(['github:bo', 'sentry:user:77']);
  });

  it('refuse what would do nothing or say two things, naming the field', () => {
    const refused = (people: unknown[]) => {
      try {
        checkPeople(people as never);
      } catch (error) {
        return (error as { code: string; details: { field: string } }).details.field;
      }
      return 'accepted';
    };
    expect(refused([{ github: 'a' }])).toBe('people[0]');
    expect(refused([{ github: 'a', email: 'not-an-email' }])).toBe('people[0].email');
    expect(refused([{ github: 'has space', linear: 'u' }])).toBe('people[0].github');
    expect(refused([{ linear: 'u', vercel: 'bad/id' }])).toBe('people[0].vercel');
    expect(refused([{ github: 'a', nick: 'x' }])).toBe('people[0].nick');
    expect(refused([{ github: 'a', linear: 'u' }, { email: 'x@y.z', linear: 'u' }])).toBe('people[1]');
    expect(refused([{ github: 'a', linear: 'u' }])).toBe('accepted');
  });

  it('link only the mappings whose identities the event names', () => {
    const graph = { entities: [{ type: 'person', key: 'github:a' }, { type: 'issue', key: 'linear:ENG-1' }], edges: [], invalidate: [] };
    const linked = linkPeople(graph, [{ github: 'a', linear: 'u' }, { github: 'b', linear: 'v' }]);
    expect(linked.entities.filter((e) => e.type === 'person')).toEqual([{ type: 'person', key: 'github:a', aliases: ['linear:user:u'] }, { type: 'person', key: 'github:a' }]);
    expect(linkPeople(graph, [])).toBe(graph);
  });
});
