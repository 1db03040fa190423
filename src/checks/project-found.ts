import type { FactsCheck } from './check.js';
import { makeResult, unreadableMessage } from './check.js';

export const projectFound: FactsCheck = {
  id: 'project-found',
  runOnce(facts) {
    return facts.projects.map(({ requested, project }) => {
      switch (project.state) {
        case 'present':
          return makeResult('project-found', project.value.arn, 'pass', `Project ${project.value.name} exists.`);
        case 'absent':
          return makeResult('project-found', requested, 'fail', `Project ${requested} was not found in region ${facts.region}${facts.caller.state === 'present' ? `, account ${facts.caller.value.account}` : ''}.`, {
            fix: { target: 'other', description: 'Check the project name and the --region / --profile used.' },
          });
        case 'unreadable':
          return makeResult('project-found', requested, 'error', unreadableMessage(`project ${requested}`, project));
      }
    });
  },
};
