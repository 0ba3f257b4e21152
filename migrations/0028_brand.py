"""The business's own look: a brand colour, the logo and the picture (each width a row
of brand_image, kept in the database so that backups hold them), a category for each
service, and a short introduction of each staff member in three languages."""
from peewee import *


def up(migrator, db):
    class BrandImage(Model):
        kind = CharField(max_length=10)
        width = IntegerField()
        height = IntegerField()
        content_type = CharField(max_length=40)
        digest = CharField(max_length=16)
        data = BlobField()

        class Meta:
            database = db
            table_name = 'brand_image'
            indexes = ((('kind', 'width'), True),)

    db.create_tables([BrandImage])
    migrator.migrate(
        migrator.add_column('business', 'brand_colour', CharField(max_length=7, default='')),
        migrator.add_column('service', 'category_fi', CharField(max_length=80, default='')),
        migrator.add_column('service', 'category_sv', CharField(max_length=80, default='')),
        migrator.add_column('service', 'category_en', CharField(max_length=80, default='')),
        migrator.add_column('staff_member', 'intro_fi', TextField(default='')),
        migrator.add_column('staff_member', 'intro_sv', TextField(default='')),
        migrator.add_column('staff_member', 'intro_en', TextField(default='')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('business', 'brand_colour'),
        migrator.drop_column('service', 'category_fi'),
        migrator.drop_column('service', 'category_sv'),
        migrator.drop_column('service', 'category_en'),
        migrator.drop_column('staff_member', 'intro_fi'),
        migrator.drop_column('staff_member', 'intro_sv'),
        migrator.drop_column('staff_member', 'intro_en'),
        migrator.drop_table('brand_image'),
    )
