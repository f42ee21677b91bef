import type { FastifyInstance } from 'fastify';
import { queryValue } from '../common/json.js';
import { requestBaseUrl } from '../common/http-server.js';
import { LIFECYCLE_OPERATIONS } from './governance.js';
import { userResource } from './resources.js';
import type { OktaRouteContext } from './route-context.js';

type Params = Record<string, string>;

/** The governance endpoints; each applies to the org's state and logs its System Log event. */
export function registerGovernanceRoutes(app: FastifyInstance, ctx: OktaRouteContext): void {
  const { governance } = ctx;

  for (const operation of LIFECYCLE_OPERATIONS) {
    app.post(`/api/v1/users/:id/lifecycle/${operation}`, async (request) => {
      const user = governance.lifecycle(operation, (request.params as Params).id!);
      // expire_password answers with the user; the other calls with an empty object.
      return operation === 'expire_password' ? userResource(user, requestBaseUrl(request)) : {};
    });
  }

  app.delete('/api/v1/users/:id', async (request, reply) => {
    governance.deleteUser((request.params as Params).id!);
    return reply.status(204).send();
  });

  app.delete('/api/v1/users/:id/sessions', async (request, reply) => {
    governance.clearSessions((request.params as Params).id!, queryValue((request.query as Record<string, unknown>).oauthTokens) === 'true');
    return reply.status(204).send();
  });

  app.delete('/api/v1/users/:id/grants', async (request, reply) => {
    governance.revokeGrants((request.params as Params).id!);
    return reply.status(204).send();
  });

  app.delete('/api/v1/users/:id/grants/:grantId', async (request, reply) => {
    const { id, grantId } = request.params as Params;
    governance.revokeGrants(id!, grantId!);
    return reply.status(204).send();
  });

  app.delete('/api/v1/groups/:groupId/users/:userId', async (request, reply) => {
    const { groupId, userId } = request.params as Params;
    governance.removeFromGroup(groupId!, userId!);
    return reply.status(204).send();
  });

  app.delete('/api/v1/users/:id/roles/:roleAssignmentId', async (request, reply) => {
    const { id, roleAssignmentId } = request.params as Params;
    governance.removeRole(id!, roleAssignmentId!);
    return reply.status(204).send();
  });
}
