-- Reserved for sla_pauses: filled in by the change that needs it.
SELECT 1;
