"""The coded events outreach, detached work and Talkzone write to the audit log."""

SESSION_RECORDED = "outreach_session.recorded"
CONTACT_RECORDED = "talkzone_contact.recorded"
CONTACT_REQUEST_LINKED = "talkzone_contact.request_linked"
SHIFT_ADDED = "talkzone_shift.added"
SHIFT_REMOVED = "talkzone_shift.removed"
LISTS_LOADED = "outreach_lists.loaded"
