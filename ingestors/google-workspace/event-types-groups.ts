import { OCSF_ACTIVITY as A, OCSF_CLASS as C } from '../../schemas/ocsf.js';
import { deliberateOther as why, mapping as m, type EventMapping } from '../runtime/event-table.js';

const G = A.groupManagement;
const memberAdd = m('admin', 'group_member_add', C.GROUP_MANAGEMENT, G.ADD_USER);
const memberRemove = m('admin', 'group_member_remove', C.GROUP_MANAGEMENT, G.REMOVE_USER);
const groupUpdate = m('admin', 'group_update', C.GROUP_MANAGEMENT, A.OTHER);
const groupCreate = m('admin', 'group_create', C.GROUP_MANAGEMENT, G.CREATE);
const groupDelete = m('admin', 'group_delete', C.GROUP_MANAGEMENT, G.DELETE);
const pending = why('admin', C.GROUP_MANAGEMENT, A.OTHER, 'an invitation or a request to join, sent, revoked or refused: the membership is its own event');
const moderation = why('admin', C.GROUP_MANAGEMENT, A.OTHER, 'message moderation in a group: no membership or setting change');

/** Events of the Groups (`groups`) and Cloud Identity Groups (`groups_enterprise`) applications. */
export const GROUP_EVENTS: Record<string, Record<string, EventMapping>> = {
  groups: {
    add_user: memberAdd,
    join: memberAdd,
    join_via_mail: memberAdd,
    accept_invitation: memberAdd,
    approve_join_request: memberAdd,
    remove_user: memberRemove,
    unsubscribe_via_mail: memberRemove,
    ban_user_with_moderation: memberRemove,
    create_group: groupCreate,
    delete_group: groupDelete,
    change_acl_permission: groupUpdate,
    change_basic_setting: groupUpdate,
    change_email_subscription_type: groupUpdate,
    change_identity_setting: groupUpdate,
    add_info_setting: groupUpdate,
    change_info_setting: groupUpdate,
    remove_info_setting: groupUpdate,
    change_new_members_restrictions_setting: groupUpdate,
    change_post_replies_setting: groupUpdate,
    change_spam_moderation_setting: groupUpdate,
    change_topic_setting: groupUpdate,
    invite_user: pending,
    reinvite_user: pending,
    revoke_invitation: pending,
    request_to_join: pending,
    request_to_join_via_mail: pending,
    reject_join_request: pending,
    moderate_message: moderation,
    always_post_from_user: moderation,
  },
  groups_enterprise: {
    add_member: memberAdd,
    join: memberAdd,
    accept_invitation: memberAdd,
    approve_join_request: memberAdd,
    remove_member: memberRemove,
    // Not in the appendix lists read, but in a real record (testdata sample 09, SEKOIA-IO google-report fixture).
    remove_user: memberRemove,
    ban_member_with_moderation: memberRemove,
    create_group: groupCreate,
    delete_group: groupDelete,
    add_member_role: groupUpdate,
    remove_member_role: groupUpdate,
    add_info_setting: groupUpdate,
    change_info_setting: groupUpdate,
    remove_info_setting: groupUpdate,
    add_security_setting: groupUpdate,
    change_security_setting: groupUpdate,
    change_security_setting_state: groupUpdate,
    remove_security_setting: groupUpdate,
    add_service_account_permission: groupUpdate,
    remove_service_account_permission: groupUpdate,
    add_dynamic_group_query: groupUpdate,
    change_dynamic_group_query: groupUpdate,
    add_membership_expiry: groupUpdate,
    update_membership_expiry: groupUpdate,
    remove_membership_expiry: groupUpdate,
    unban_member: groupUpdate,
    invite_member: pending,
    revoke_invitation: pending,
    reject_invitation: pending,
    request_to_join: pending,
    reject_join_request: pending,
    create_namespace: why('admin', C.GROUP_MANAGEMENT, A.OTHER, 'a group namespace (identity source) created or deleted: no group changed'),
    delete_namespace: why('admin', C.GROUP_MANAGEMENT, A.OTHER, 'a group namespace (identity source) created or deleted: no group changed'),
  },
};
