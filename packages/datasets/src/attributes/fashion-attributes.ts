// A multilabel attribute task for Fashion-MNIST, defined from domain knowledge, for the distribution-matching
// case study (Kollias, Sharmanska & Zafeiriou, AAAI 2024, arXiv 2401.01219, study shopping items with tasks whose
// labels barely overlap). The class → attribute relatedness matrix below is ours (not from the paper): 1 or 0
// where an attribute is fixed by the class, a probability where it varies within the class.

/** Fashion-MNIST's ten classes, in label order (Xiao, Rasul & Vollgraf 2017, arXiv 1708.07747). */
export const fashionMnistClassNames = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** The seven attributes, in label order. */
export const fashionAttributeNames = [
  'upper-body',
  'lower-body',
  'full-body',
  'footwear',
  'accessory',
  'long-sleeves',
  'cold-weather',
] as const;

/**
 * relatedness[class][attribute] = p(attribute on | class). Rows follow `fashionMnistClassNames`, columns
 * `fashionAttributeNames`. Varying entries are judgement calls, documented in the datasets README table:
 * T-shirts/tops are mostly short-sleeved (0.1 long); pullovers nearly always long-sleeved (0.95) and warm (0.9);
 * dresses sometimes long-sleeved (0.3); shirts often long-sleeved (0.6); trousers worn in the cold half the
 * time; sneakers occasionally (0.2) and ankle boots mostly (0.85) cold-weather footwear.
 */
export const fashionAttributeRelatedness: readonly (readonly number[])[] = [
  //  upper lower  full  foot   acc  long  cold
  [1, 0, 0, 0, 0, 0.1, 0.05], // T-shirt/top
  [0, 1, 0, 0, 0, 0, 0.5], // Trouser
  [1, 0, 0, 0, 0, 0.95, 0.9], // Pullover
  [0, 0, 1, 0, 0, 0.3, 0.1], // Dress
  [1, 0, 0, 0, 0, 1, 1], // Coat
  [0, 0, 0, 1, 0, 0, 0], // Sandal
  [1, 0, 0, 0, 0, 0.6, 0.3], // Shirt
  [0, 0, 0, 1, 0, 0, 0.2], // Sneaker
  [0, 0, 0, 0, 1, 0, 0], // Bag
  [0, 0, 0, 1, 0, 0, 0.85], // Ankle boot
];
