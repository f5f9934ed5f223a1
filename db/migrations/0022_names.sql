-- English names of BPMN elements (extension property name.en): the models are named in Chinese, English comes through the language switch.
ALTER TABLE "process_element" ADD COLUMN "name_en" text;
