-- Reserved for chase_ups: filled in by the change that needs it.
SELECT 1;
