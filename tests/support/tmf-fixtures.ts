/** Request bodies as TMF clients send them. */
/** A new install of a home-broadband offering, as a TMF622 client sends it. */
export const newInstall = (overrides: Record<string, unknown> = {}) => ({
  '@type': 'ProductOrder',
  category: 'residential',
  notificationContact: '13800138000',
  productOrderItem: [
    {
      '@type': 'ProductOrderItem',
      id: '1',
      action: 'add',
      productOffering: { '@type': 'ProductOfferingRef', id: 'HB-500M' },
      product: {
        '@type': 'Product',
        productCharacteristic: [{ '@type': 'StringCharacteristic', name: 'grid', value: 'URC-TS-01' }],
        place: [
          {
            '@type': 'RelatedPlaceRefOrValue',
            role: 'installationAddress',
            place: {
              '@type': 'GeographicAddress',
              city: '乌鲁木齐市',
              locality: '天山区',
              streetName: '解放南路',
              streetNr: '88 号 3 单元 502',
            },
          },
        ],
      },
    },
  ],
  ...overrides,
});

export const faultTicket = (overrides: Record<string, unknown> = {}) => ({
  '@type': 'TroubleTicket',
  description: '家里宽带从早上开始无法上网',
  severity: 'Major',
  ticketType: 'fault',
  relatedEntity: [
    {
      '@type': 'RelatedEntity',
      role: 'affectedProduct',
      entity: { '@type': 'EntityRef', id: '0991-HB-100007', '@referredType': 'Product' },
    },
  ],
  troubleTicketCharacteristic: [{ '@type': 'StringCharacteristic', name: 'service', value: 'broadband' }],
  ...overrides,
});
