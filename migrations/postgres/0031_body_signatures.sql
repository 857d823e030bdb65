-- Near-duplicate check. Each comment keeps its body's MinHash signature
-- (`body_sig`, 32 slots of eight hex digits) and whether the spam signals
-- held it (`spam_held`, 0 or 1), both written when it is stored or edited,
-- so a submission compares itself with the site's recent bodies without
-- signing each body again or reading held comments' findings. Comments
-- stored before this migration, imported or seeded have neither (NULL):
-- their body is signed and their findings read when they are compared.
ALTER TABLE comments ADD COLUMN body_sig TEXT;
ALTER TABLE comments ADD COLUMN spam_held BIGINT;
