import type { FactsCheck } from './check.js';
import { makeResult, unreadableMessage } from './check.js';
import { nearestNames } from './nearest-names.js';

/** A name a typo away: at most a third of its length (at least 2) edits off. */
function suggestionsFor(requested: string, names: readonly string[]): string[] {
  const name = requested.replace(/^arn:[^:]*:codebuild:[^:]*:\d{12}:project\//, '');
  return nearestNames(name, names, 3, Math.max(2, Math.floor(name.length / 3)));
}

export const projectFound: FactsCheck = {
  id: 'project-found',
  runOnce(facts) {
    return facts.projects.map(({ requested, project }) => {
      switch (project.state) {
        case 'present':
          return makeResult('project-found', project.value.arn, 'pass', `Project ${project.value.name} exists.`);
        case 'absent': {
          // An unreadable or absent listing just leaves the suggestion out.
          const nearest = facts.projectNames?.state === 'present' ? suggestionsFor(requested, facts.projectNames.value) : [];
          return makeResult('project-found', requested, 'fail', `Project ${requested} was not found in region ${facts.region}${facts.caller.state === 'present' ? `, account ${facts.caller.value.account}` : ''}${nearest.length ? ` (did you mean ${nearest.join(', ')}?)` : ''}.`, {
            ...(nearest.length ? { evidence: { nearestProjects: nearest } } : {}),
            fix: { target: 'other', description: nearest.length ? `Check the project name (nearest: ${nearest.join(', ')}) and the --region / --profile used.` : 'Check the project name and the --region / --profile used.' },
          });
        }
        case 'unreadable':
          return makeResult('project-found', requested, 'error', unreadableMessage(`project ${requested}`, project));
      }
    });
  },
};
